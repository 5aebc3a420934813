"""_oauth2"""

__all__: list[str] = []
