"""Operations: backup and restore, retention purges, audit-chain checks, structured logs."""
