"""manage.py generate_statements N [--seed S] [--governments G] [--speakers P] [--topics T]"""

import sys
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from statements.generator import statements_generate


class Command(BaseCommand):
    help = (
        "Add N synthetic statements for benchmarks (deterministic for a given --seed), with COPY. "
        "Never run this against a database holding real data you publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--governments", type=int, default=200)
        parser.add_argument("--speakers", type=int, default=5000)
        parser.add_argument("--topics", type=int, default=20)
        parser.add_argument(
            "--government-skew", type=float, default=1.0, help="Zipf exponent of who speaks most; 0 is uniform"
        )

    def handle(self, *args, count, seed, governments, speakers, topics, government_skew, **options):
        started = time.perf_counter()
        bar = tqdm(total=count, unit=" statements", file=sys.stderr, disable=count < 50_000)

        def progress(done: int) -> None:
            bar.update(done - bar.n)

        result = statements_generate(
            count=count,
            seed=seed,
            governments=governments,
            speakers=speakers,
            topics=topics,
            government_skew=government_skew,
            progress=progress,
        )
        bar.update(count - bar.n)
        bar.close()
        self.stdout.write(
            f"generated {result.statements} statements and {result.sources} sources "
            f"({result.governments} governments, {result.speakers} speakers, {result.topics} topics) "
            f"in {time.perf_counter() - started:.1f} s"
        )
