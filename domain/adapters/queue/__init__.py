"""Task-queue backends: the embedded asyncio runner and arq on Redis."""
