"""Dynamic providers for the `local` platform: everything `pulumi up -s dev` changes on this machine."""
