"""tongwei: the command-line anti-fraud desk of Tongwei county public security."""

__version__ = "0.1.0"
