"""The panel's dialogs, each a form in ``ui/``: paste, NUMA, pool, hosts heard, plan, report.

The cfg conflict is a message box. ``DialogFactory.run`` shows one modally; tests replace it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtpy import QtCore, QtWidgets

from vrdr_max import reporting
from vrdr_max.fixes import FIXES
from vrdr_max.models import RenderServer
from vrdr_max.panel.look import guard_inputs, load_form, set_error, stylesheet
from vrdr_max.ports import READY_BROADCAST_PORT
from vrdr_max.studio import load_effective
from vrdr_max.submit import SubmissionReport, SubmitPlan

if TYPE_CHECKING:
    from vrdr_max.panel.widgets import DRPanel

Qt = QtCore.Qt

def fix_description(fix_id: str) -> str:
    """What a fix does, for its button's tooltip."""
    return FIXES[fix_id].description if fix_id in FIXES else fix_id


class Dialog(QtWidgets.QDialog):
    """A dialog loaded from a form in ``ui/``."""

    buttons: QtWidgets.QDialogButtonBox

    def __init__(self, form: str, parent: DRPanel) -> None:
        super().__init__(parent)
        load_form(form, self)
        self.setStyleSheet(stylesheet(self.palette()))
        if parent.typing_guard is not None:
            guard_inputs(self, parent.typing_guard)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def child(self, name: str) -> Any:
        """A widget of the form by object name."""
        return getattr(self, name)


class DialogFactory:
    """The panel's dialogs. Tests replace ``run`` to answer a dialog without a user."""

    def __init__(self, panel: DRPanel) -> None:
        self.panel = panel
        self.controller = panel.controller
        self.last: QtWidgets.QDialog | None = None

    def run(self, dialog: QtWidgets.QDialog) -> bool:
        """Show ``dialog`` modally; True when accepted."""
        self.last = dialog
        return bool(dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted)

    def paste(self, text: str) -> bool:
        """Paste servers: one ``host[:port]`` per line; a bad line keeps the dialog open."""
        dialog = Dialog("paste.ui", self.panel)
        edit: QtWidgets.QPlainTextEdit = dialog.child("textEdit")
        edit.setPlainText(text)
        error = dialog.child("errorLabel")
        set_error(error, None)

        def accept() -> None:
            message = self.controller.paste(edit.toPlainText())
            set_error(error, message)
            if message is None:
                QtWidgets.QDialog.accept(dialog)

        dialog.accept = accept  # type: ignore[method-assign]
        return self.run(dialog)

    def numa(self) -> bool:
        """Add a NUMA machine, previewing the entries the spawner's rules give."""
        dialog = Dialog("numa.ui", self.panel)
        host, args = dialog.child("hostEdit"), dialog.child("argsEdit")
        nodes, preview = dialog.child("nodesSpin"), dialog.child("previewList")
        error = dialog.child("errorLabel")
        ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)

        def update() -> None:
            preview.clear()
            if not host.text().strip():
                set_error(error, None)
                ok.setEnabled(False)
                return
            entries = self.controller.numa_preview(host.text(), args.text(),
                                                   nodes.value() or None)
            if isinstance(entries, str):
                set_error(error, entries)
                ok.setEnabled(False)
                return
            set_error(error, None)
            ok.setEnabled(True)
            preview.addItems([_entry_text(e) for e in entries])

        for widget in (host, args):
            widget.textChanged.connect(update)
        nodes.valueChanged.connect(update)
        update()
        if not self.run(dialog):
            return False
        return self.controller.add_numa(host.text(), args.text(), nodes.value() or None) is None

    def pool(self) -> bool:
        """Pick a pool; replace the list with it or merge it in."""
        dialog = Dialog("pool.ui", self.panel)
        combo = dialog.child("poolCombo")
        names = self.controller.pool_names()
        combo.addItems(names)
        description = dialog.child("descriptionLabel")
        pools = load_effective().pools

        def describe() -> None:
            name = combo.currentText()
            pool = pools.get(name)
            description.setText("" if pool is None else
                                f"{pool.description} ({len(pool.entries())} entries, "
                                f"{pool.mode.value.upper()})".strip())

        combo.currentIndexChanged.connect(lambda _i: describe())
        describe()
        if not names:
            description.setText("No pools for this engine in the studio or user files.")
            dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        if not self.run(dialog):
            return False
        merge = dialog.child("mergeRadio").isChecked()
        return self.controller.apply_pool(combo.currentText(), merge=merge) is None

    def hosts(self, addresses: list[str]) -> bool:
        """Offer the hosts discovery heard (all ticked); add the ticked ones."""
        dialog = Dialog("hosts.ui", self.panel)
        listed = {s.host.lower() for s in self.controller.settings.servers}
        fresh = [a for a in addresses if a.lower() not in listed]
        dialog.child("hintLabel").setText(
            f"{len(addresses)} server(s) announced themselves; {len(fresh)} not listed yet."
            if addresses else "No server announced itself. Servers announce on UDP "
            f"{READY_BROADCAST_PORT} while a DR render is running.")
        host_list = dialog.child("hostList")
        for address in fresh:
            item = QtWidgets.QListWidgetItem(address)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            host_list.addItem(item)
        if not self.run(dialog):
            return False
        chosen = [host_list.item(i).text() for i in range(host_list.count())
                  if host_list.item(i).checkState() == Qt.CheckState.Checked]
        return self.controller.add_discovered(chosen) is None

    def plan(self, submit_plan: SubmitPlan) -> str | None:
        """Show the plan; return None (cancelled), "" (go) or the override reason."""
        dialog = Dialog("plan.ui", self.panel)
        dialog.child("headLabel").setText(
            "Rendering with DR will do this (nothing has changed yet):")
        blocking = submit_plan.blocking_reasons
        lines = reporting.plan_lines(submit_plan)
        if blocking:
            lines += ["", "Errors left:"] + [f"  {b}" for b in blocking]
        dialog.child("textView").setPlainText("\n".join(lines))
        reason = dialog.child("reasonEdit")
        for name in ("reasonLabel", "reasonEdit"):
            dialog.child(name).setVisible(submit_plan.blocked)
        ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        ok.setText("Render")
        if submit_plan.blocked:
            ok.setEnabled(False)
            reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        if not self.run(dialog):
            return None
        return reason.text().strip() if submit_plan.blocked else ""

    def report(self, report: SubmissionReport) -> None:
        """What the submission did: steps, timings, backup."""
        dialog = Dialog("plan.ui", self.panel)
        dialog.setWindowTitle("DR render report")
        dialog.child("headLabel").setText(f"Render with DR: {report.status.value}")
        dialog.child("textView").setPlainText("\n".join(reporting.submission_lines(report)))
        for name in ("reasonLabel", "reasonEdit"):
            dialog.child(name).setVisible(False)
        dialog.buttons.setStandardButtons(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.run(dialog)

    def conflict(self) -> bool:
        """The cfg changed on disk: reload it (the other writer's content stays) or keep it.

        The file is never overwritten from here.
        """
        if not self.controller.conflict:
            return False
        box = QtWidgets.QMessageBox(self.panel)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle("Server list changed on disk")
        box.setText(f"{self.controller.cfg_path.name} was changed by another program since the "
                    "panel read it. Your last edit was not saved.")
        box.setInformativeText("Reload shows the file as it is now (your unsaved edit is "
                               "dropped). Keep leaves the file alone; nothing is saved until "
                               "you reload.")
        reload = box.addButton("Reload", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep", QtWidgets.QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(reload)
        self.run(box)
        if box.clickedButton() is reload:
            self.controller.refresh()  # drops the unsaved edit
            return True
        return False


def _entry_text(server: RenderServer) -> str:
    return f"{server.endpoint}{'' if server.enabled else ' (disabled)'}"



__all__ = ["Dialog", "DialogFactory", "fix_description"]
