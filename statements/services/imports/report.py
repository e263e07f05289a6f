"""What an import says it did, or would do, or why it refused: counts, problems and notices."""

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    lines: int
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retracted: int = 0
    reinstated: int = 0
    waited: str = ""
    new_governments: list[str] = field(default_factory=list)
    new_topics: list[str] = field(default_factory=list)
    new_speakers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort_errors(self) -> None:
        self.errors.sort(
            key=lambda message: int(message.split(":")[0].split()[1]) if message.startswith("line ") else 0
        )
