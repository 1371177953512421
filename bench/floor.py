"""The fetch floor: download every URL with httpx, read the body, parse nothing.

Usage: python floor.py URLS_FILE [CONCURRENCY]
Prints one line: "<fetched> fetched, <bytes> bytes, <errors> errors".
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx


async def worker(client: httpx.AsyncClient, queue: asyncio.Queue[str], totals: list[int]) -> None:
    while True:
        try:
            url = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        try:
            response = await client.get(url)
            totals[0] += 1
            totals[1] += len(response.content)
            totals[2] += response.status_code != 200
        except httpx.HTTPError:
            totals[2] += 1


async def fetch_all(urls: list[str], concurrency: int) -> list[int]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    totals = [0, 0, 0]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        await asyncio.gather(*(worker(client, queue, totals) for _ in range(concurrency)))
    return totals


def main(argv: list[str]) -> int:
    urls = Path(argv[1]).read_text(encoding="utf-8").split()
    concurrency = int(argv[2]) if len(argv) > 2 else 10
    fetched, size, errors = asyncio.run(fetch_all(urls, concurrency))
    print(f"{fetched} fetched, {size} bytes, {errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
