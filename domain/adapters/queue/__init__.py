"""Task-queue backends. The arq backend lives with the arq worker in ``tasks``."""
