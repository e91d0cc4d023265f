"""One provider per credential source (credential_chain.CredentialProvider), each in its own module:
env_token (VIAS_AUTH_TOKEN), env_keys (the SDK's HUAWEICLOUD_SDK_* variables), keyring_entry (the profile's
keyring entry), sdk_file (the SDK's credentials file) and ecs_metadata (the ECS metadata service). Which of them
`--auth` puts in the chain, and in what order, is credentials.py."""
