"""Program data (YAML under data/programs) turned into typed, validated rules."""

from bot.programs.loader import load_programs, read_program_file, warnings_for
from bot.programs.model import Product, RedemptionProgram, SalesChannel

__all__ = [
    "Product",
    "RedemptionProgram",
    "SalesChannel",
    "load_programs",
    "read_program_file",
    "warnings_for",
]
