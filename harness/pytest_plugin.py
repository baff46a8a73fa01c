"""pytest plugin for whatsapp-signup-harness (fixtures are added as the harness grows)."""
