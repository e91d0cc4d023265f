"""vias-tui: a terminal console for deleting Huawei Cloud VIAS batch tasks safely and in bulk."""

__version__ = "0.1.0"
