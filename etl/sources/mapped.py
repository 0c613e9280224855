from pathlib import Path
def read_file(path: Path, **options): raise NotImplementedError
