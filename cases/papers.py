"""The dossier's papers (scanned copies, files from the national portal, result documents) as the domain sees
them. They are kept by the `attachments` app, which depends on `cases` (never the reverse): it registers its
`Provider` here in its AppConfig.ready(), and the intake service, Form 01 and the API's dossier detail ask
through these functions. Without a provider a dossier simply has no papers.
"""
from __future__ import annotations

from typing import Protocol


class Provider(Protocol):
    def store_at_intake(self, *, dossier, actor, papers: list[tuple[int, object]]) -> None:
        """Store the files handed in at intake, each tied to a checklist index, in the intake transaction."""

    def scanned_documents(self, dossier) -> set[int]:
        """The checklist indexes of the dossier's rule version that have a scanned copy."""

    def api_list(self, dossier, request) -> list[dict]:
        """The dossier detail's `attachments` (CONTRACTS.md §1.2)."""


_provider: Provider | None = None


def register(provider: Provider) -> None:
    global _provider
    _provider = provider


def store_at_intake(*, dossier, actor, papers) -> None:
    if not papers:
        return
    if _provider is None:
        raise RuntimeError("papers were handed in but no app keeps them (is 'attachments' installed?)")
    _provider.store_at_intake(dossier=dossier, actor=actor, papers=papers)


def scanned_documents(dossier) -> set[int]:
    return _provider.scanned_documents(dossier) if _provider is not None else set()


def api_list(dossier, request) -> list[dict]:
    return _provider.api_list(dossier, request) if _provider is not None else []
