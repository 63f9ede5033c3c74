"""The pipeline behind the Makefile: Terraform CLI settings, emulator, plan, review, apply, verify."""
