"""RDS001: every database is encrypted at rest and unreachable from the internet."""

from __future__ import annotations

from collections.abc import Iterable

from constructs_lib.rules import Finding, StackDocument


class PrivateDatabases:
    id = "RDS001"
    description = "Every RDS instance is storage-encrypted and not publicly accessible"
    fix = "set storage_encrypted = true with a kms_key_id, and publicly_accessible = false (constructs_lib.database does)"

    def check(self, stack: StackDocument) -> Iterable[Finding]:
        for database in stack.blocks("resource", ["aws_db_instance"]):
            if database.body.get("storage_encrypted") is not True:
                yield Finding(database, "storage is not encrypted")
            if database.body.get("publicly_accessible") is not False:
                yield Finding(database, "is not explicitly private (publicly_accessible must be false)")


RULE = PrivateDatabases()
