"""What a run leaves behind and runs under: files, code, environment, cost."""
