"""Scene names and paths in the panel's findings are shown escaped, as the command line shows them.

A node name from a shared scene may hold a bidirectional override (U+202E), an escape sequence
or a line break: shown raw, U+202E turns "(hidden)" around into "(neddih)" and what follows it,
and a line break makes one subject look like two. The panel shows them as ``\\u202e``, ``\\x1b``
and ``\\n`` (``errors.one_line``), as ``vrdr check`` prints them; selecting the node still uses
its real name.
"""

from __future__ import annotations

from qtpy import QtCore

from mock_pymxs import MockMax
from vrdr_max.panel import dialogs as dlg
from vrdr_max.panel.widgets import HEADLINE_ROLE, DRPanel, top_level_items

NAME = "Spot\u202eevil\x1b[2J\nline"
SHOWN = "Spot\\u202eevil\\x1b[2J\\nline"
Qt = QtCore.Qt


def rename_spot(mock_max: MockMax) -> None:
    mock_max.runtime.getNodeByName("Spot_Photometric").name = NAME


def test_the_findings_list_shows_scene_names_escaped(panel: DRPanel,
                                                     mock_max: MockMax) -> None:
    rename_spot(mock_max)
    panel.controller.preflight()
    texts = []
    for item in top_level_items(panel.findingsTree):
        texts.append(str(item.data(0, HEADLINE_ROLE)))
        texts += [str(item.child(i).data(0, Qt.ItemDataRole.UserRole))
                  for i in range(item.childCount())]
    assert f"- {SHOWN} (off)" in texts
    assert all(text.isprintable() for text in texts), [t for t in texts if not t.isprintable()]


def test_the_fix_dialog_shows_scene_names_escaped(panel: DRPanel,
                                                  mock_max: MockMax) -> None:
    rename_spot(mock_max)
    finding = next(f for f in panel.controller.preflight().findings
                   if f.check_id == "default-lights")
    dialog = dlg.FixDialog(panel.dialogs, finding)
    subjects = [dialog.subjectList.item(i).text() for i in range(dialog.subjectList.count())]
    assert f"{SHOWN} (off)" in subjects
    assert all(s.isprintable() for s in [*subjects, dialog.headLabel.text()])
    # Select still finds the node by its real name.
    assert panel.controller.host.select_subjects([NAME]) == 1
    assert mock_max.selection == [NAME]
