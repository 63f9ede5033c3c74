"""The team's delivery: the GitHub Actions workflows and the Atlantis config, checked against the Makefile, the suite
and the stacks the project synthesizes."""
