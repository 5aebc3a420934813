"""_core"""

__all__: list[str] = []
