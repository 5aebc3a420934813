"""_compat"""

__all__: list[str] = []
