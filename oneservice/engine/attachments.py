"""Materials as files and references: what the case's log records of an upload, and the purge.

- **上传材料** (``attach_material``): a material's file was received and stored (the service
  put its bytes in the blob store first); the event ``MaterialFileAttached`` records the
  material, the file's SHA-256, size, sniffed content type and file name — never its bytes. Or
  the material is an electronic licence the library holds (``MaterialLicenceReferenced``: its
  number and issuing body, no file). Either is taken while the case takes materials (draft to
  ready for pickup; OS744 otherwise) for a material of the case's matter (OS743 otherwise) —
  also one the applicant need not bring (shared data, an upstream item's result), whose copy
  the applicant may still give.
  Attaching does not by itself count a material as handed in: the hand-in that names it
  (submit, supplement, supply_owed, supply_correction) does, on its channel, as before.
- **材料文件清理** (``purge_files``, the retention job): the files of a concluded case are
  removed; ``MaterialFilesPurged`` names each one (material and SHA-256).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.actions import ACTIONS, REFERENCE_PATTERN
from ..domain.case import Actor, Case
from ..errors import InvalidInput, MaterialNotFound, MaterialsClosed
from .base import EngineBase, require_text

__all__ = ["Attachments"]

_FILE_KEYS = ("sha256", "size", "content_type", "name")


class Attachments(EngineBase):
    """Files and licence references of materials, and their purge."""

    def check_attachable(self, case: Case, actor: Actor, material: str) -> None:
        """Raise unless ``actor`` may attach ``material`` to ``case`` now (checked before an upload
        is stored, and again when it is recorded)."""
        self.authorise(case, actor, "attach_material")
        if not ACTIONS["attach_material"].case_allows(str(case.state)):
            raise MaterialsClosed(case_id=case.id, state=str(case.state))
        known = {*self.lines, *(x.material.id for x in self.plan.not_needed)}
        if not isinstance(material, str) or material not in known:
            raise MaterialNotFound(str(material), case_id=case.id, known=sorted(known))

    def attach_material(self, case: Case, actor: Actor, now: dt.datetime, material: str,
                        file: Mapping[str, Any] | None = None,
                        licence: Mapping[str, Any] | None = None) -> None:
        self.check_attachable(case, actor, material)
        if (file is None) == (licence is None):
            raise InvalidInput("give either a file or an electronic licence", field="file")
        if file is not None:
            missing = [k for k in _FILE_KEYS[:3] if not file.get(k)]
            if missing:
                raise InvalidInput(f"the stored file lacks {', '.join(missing)}", field="file")
            self._event(case, now, "MaterialFileAttached", actor, material=material,
                        sha256=file["sha256"], size=file["size"], content_type=file["content_type"],
                        name=file.get("name") or None)
            return
        assert licence is not None
        number, issuer = licence.get("number"), licence.get("issuer")
        require_text(number, "licence.number")
        require_text(issuer, "licence.issuer")
        if not re.fullmatch(REFERENCE_PATTERN, str(number)):
            raise InvalidInput("must be 1-100 characters without a slash", field="licence.number")
        self._event(case, now, "MaterialLicenceReferenced", actor, material=material,
                    number=number, issuer=issuer)

    def purge_files(self, case: Case, actor: Actor, now: dt.datetime,
                    files: Sequence[Mapping[str, Any]]) -> None:
        self.authorise(case, actor, "purge_files")
        self._case_step(case, "purge_files", actor)
        if not files:
            return
        self._event(case, now, "MaterialFilesPurged", actor, public=False,
                    files=[{"material": f["material"], "sha256": f["sha256"]} for f in files])
