"""The Farm section's widgets: ``panel.ui``'s farm group bound to ``farm_section.FarmSection``.

Every call to the Web Service is a job of the section run on a worker thread (``workers.Task``)
with its own progress bar and Cancel in the section, so a reservation's wait never stalls the
UI and a probe or a preflight can run meanwhile. The outcome comes back by a queued signal and
goes to ``FarmSection.finish`` on the main thread. The questions (the password, releasing on
closing, reservations left behind) are the panel's dialogs (``dialogs.py``), which tests answer.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from qtpy import QtCore

from vrdr_max.errors import VrdrError
from vrdr_max.panel.controller import InputField
from vrdr_max.panel.dialogs import FarmAskDialog
from vrdr_max.panel.farm_section import (
    NO_NAME,
    SHUTDOWN_WAIT_S,
    Action,
    FarmSection,
    Job,
    Outcome,
)
from vrdr_max.panel.look import set_error
from vrdr_max.panel.workers import Task

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from vrdr_max.farm.records import ReservationRecord
    from vrdr_max.panel.widgets import DRPanel

Qt = QtCore.Qt
OPEN_KEY = "farm_open"
"""Whether the section was left unfolded (``panel-layout.ini``, like the preflight's height)."""


def describe(record: ReservationRecord) -> str:
    """One line for a reservation on record: job, machines, cfg, when, where."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.created))
    machines = f"{len(record.servers)} of {record.asked} machines"
    return (f"Job {record.job_id} on {record.url}: {machines} in {record.cfg_path}, made "
            f"{when}" + (f" on {record.host}" if record.host else ""))


class FarmPanel(QtCore.QObject):
    """The farm group of a ``DRPanel``.

    Args:
        panel: the panel whose form holds the farm widgets (``farmBox`` and its children).
    """

    def __init__(self, panel: DRPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.section: FarmSection = panel.controller.farm
        self.task: Task | None = None
        self._action: Action | None = None
        self.ask_on_close = True
        """False for a screenshot run: closing releases nothing and asks nothing."""
        self._lists: tuple[list[str], list[str]] = ([], [])
        self._then: list[Callable[[], None]] = []
        set_error(panel.farmError, None)
        panel.farmWait.setProperty("role", "note")
        panel.farmProgress.setVisible(False)
        panel.farmCancel.setVisible(False)
        self._connect()
        self.set_open(self._remembered_open())

    # -- set-up --------------------------------------------------------------------------------

    def _connect(self) -> None:
        p, s = self.panel, self.section
        p.farmToggle.toggled.connect(self._toggled)
        p.farmUrl.editingFinished.connect(lambda: s.set_url(p.farmUrl.text()))
        p.farmUser.editingFinished.connect(lambda: s.set_user(p.farmUser.text()))
        p.farmRefresh.clicked.connect(self.read_lists)
        p.farmPool.activated.connect(lambda _i: self._chosen())
        p.farmGroup.activated.connect(lambda _i: self._chosen())
        p.farmCount.valueChanged.connect(
            lambda n: p.farmReserve.setText(f"Reserve {n}"))
        p.farmReserve.clicked.connect(self.reserve)
        p.farmRelease.clicked.connect(self._release_clicked)
        p.farmCancel.clicked.connect(self.cancel)

    def _remembered_open(self) -> bool:
        value = self.panel.layout_settings().value(OPEN_KEY)
        # Open by default when a reservation holds the cfg, or the studio names a farm.
        if self.section.reserved_job is not None or value is None:
            return self.section.reserved_job is not None or bool(self.section.url)
        return str(value).lower() in ("true", "1")

    def _toggled(self, on: bool) -> None:
        self.set_open(on)
        settings = self.panel.layout_settings()
        settings.setValue(OPEN_KEY, bool(on))
        settings.sync()

    def set_open(self, on: bool) -> None:
        """Unfold (or fold) the section; the head line and errors show either way."""
        p = self.panel
        if p.farmToggle.isChecked() != on:
            p.farmToggle.blockSignals(True)
            p.farmToggle.setChecked(on)
            p.farmToggle.blockSignals(False)
        p.farmToggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        p.farmBody.setVisible(on)
        # Before the panel is first shown, hiding a child does not tell the layouts, which would
        # keep the unfolded section's height as the panel's minimum.
        p.farmBox.updateGeometry()

    # -- showing the section -------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a farm job runs."""
        return self.task is not None

    @property
    def reserving(self) -> bool:
        """True while a reservation is being made (Render with DR waits for it)."""
        return self.task is not None and self._action is Action.RESERVE

    def show(self) -> None:
        """Bring the widgets up to date with the section."""
        p, s = self.panel, self.section
        p.farmToggle.setText(f"Farm: {s.summary()}")
        p.farmToggle.setToolTip("Show or hide the Farm section: render servers reserved from "
                                "Deadline")
        if not p.farmUrl.hasFocus():
            p.farmUrl.setText(s.url)
        if not p.farmUser.hasFocus():
            p.farmUser.setText(s.user)
        self._fill_lists()
        p.farmWait.setText(s.wait_text())
        p.farmStatus.setText("\n".join(s.lines))
        p.farmStatus.setVisible(bool(s.lines))
        idle = not self.busy
        p.farmReserve.setEnabled(idle and s.can_reserve())
        p.farmRelease.setEnabled(idle and s.can_release())
        p.farmRefresh.setEnabled(idle)
        p.farmCount.setEnabled(s.can_reserve())
        p.farmReserve.setText(f"Reserve {p.farmCount.value()}")
        p.farmProgress.setVisible(not idle)
        p.farmCancel.setVisible(not idle)
        p.farmCancel.setEnabled(self._action is Action.RESERVE)
        self.show_error()
        p.enable_actions()

    def show_error(self) -> None:
        """The section's one error line (visible folded too)."""
        set_error(self.panel.farmError, self.panel.controller.errors.get(InputField.FARM))

    def _fill_lists(self) -> None:
        """Pools and groups: "(none)", what the farm said, and the studio's choice if not in it."""
        s = self.section
        wanted = (self._names(s.pools, s.pool), self._names(s.groups, s.group))
        if wanted == self._lists:
            return
        self._lists = wanted
        for combo, names, chosen in ((self.panel.farmPool, wanted[0], s.pool),
                                     (self.panel.farmGroup, wanted[1], s.group)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentIndex(names.index(chosen) if chosen in names else 0)
            combo.blockSignals(False)

    @staticmethod
    def _names(farm: list[str], chosen: str | None) -> list[str]:
        names = [NO_NAME, *(n for n in farm if n != NO_NAME)]
        if chosen and chosen not in names:
            names.append(chosen)
        return names

    def _chosen(self) -> None:
        for combo, attribute in ((self.panel.farmPool, "pool"), (self.panel.farmGroup, "group")):
            text = combo.currentText()
            setattr(self.section, attribute, None if text in ("", NO_NAME) else text)

    # -- running jobs --------------------------------------------------------------------------

    def _run(self, job: Job | None, action: Action, total: int) -> Task | None:
        if job is None:
            return None  # the section said why
        task = Task(job)
        task.progress.connect(self._progress)
        task.finished.connect(self._done)
        task.failed.connect(self._failed)
        bar = self.panel.farmProgress
        bar.setRange(0, total)  # 0..0: a busy bar until the first answer
        bar.setValue(0)
        bar.setFormat(self.section.progress)
        self.task, self._action = task, action
        self.show()
        task.start()
        return task

    def _progress(self, done: int, total: int, payload: object) -> None:
        bar = self.panel.farmProgress
        if total and bar.maximum() != total:
            bar.setRange(0, total)
        bar.setValue(done)
        bar.setFormat(self.section.progressed(payload))
        self.panel.farmToggle.setText(f"Farm: {self.section.summary()}")

    def _done(self, outcome: Outcome) -> None:
        self.task, self._action = None, None
        self.section.finish(outcome)
        if outcome.action is Action.RESERVE and self.section.holds_cfg:
            self.panel.probe_soon()  # the farm's machines, with their status in the table
        self._run_then()

    def _failed(self, message: str) -> None:
        self.task, self._action = None, None
        self.section.failed(message)
        self._run_then()

    def when_idle(self, func: Callable[[], None]) -> None:
        """Run ``func`` now, or once the farm's job has ended."""
        if self.task is None:
            func()
        else:
            self._then.append(func)

    def _run_then(self) -> None:
        waiting, self._then = self._then, []
        for func in waiting:
            func()

    def cancel(self) -> None:
        """Cancel a reservation being made (it is undone); a release always runs to its end."""
        if self.task is not None and self._action is Action.RESERVE:
            self.task.cancel()
            self.section.progress = "cancelling: completing the job again"
            self.panel.farmProgress.setFormat(self.section.progress)

    def wait(self, seconds: float) -> bool:
        """Let the farm's job finish (the event loop turns meanwhile); False when it did not."""
        task = self.task
        if task is None:
            return True
        loop = QtCore.QEventLoop()
        task.finished.connect(loop.quit)
        task.failed.connect(loop.quit)
        QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
        if self.task is task:
            loop.exec()
        return self.task is not task

    def _login(self, url: str) -> bool:
        """Ask the login once per session (an empty user: no login); False: the artist cancelled.

        An error in what was typed (a ``:`` in the user name) is the section's one line.
        """
        s = self.section
        if not s.needs_login:
            return True
        answer = self.panel.dialogs.farm_login(url or s.url, s.user)
        if answer is None:
            return False
        try:
            s.log_in(*answer)
        except VrdrError as exc:
            s.report_error(str(exc))
            return False
        return True

    # -- commands ------------------------------------------------------------------------------

    def read_lists(self) -> Task | None:
        """Read the farm's pools and groups (on a worker)."""
        self._take_fields()
        if self.busy or not self._login(self.section.url):
            return None
        return self._run(self.section.lists_job(), Action.LISTS, 0)

    def reserve(self) -> Task | None:
        """Reserve the spin box's count of machines (on a worker, with progress and Cancel)."""
        self._take_fields()
        if self.busy or not self._login(self.section.url):
            return None
        count = self.panel.farmCount.value()
        return self._run(self.section.reserve_job(count), Action.RESERVE, count)

    def _release_clicked(self) -> None:
        self.release()

    def release(self, records: Sequence[ReservationRecord] | None = None, *,
                wait: bool = False) -> Task | None:
        """Release the open reservation (or ``records``): complete the jobs, restore the cfgs.

        Args:
            records: reservations left behind; the section's own when None.
            wait: let it finish before returning (3ds Max or the window is closing), bounded
                by the Web Service's timeout and :data:`SHUTDOWN_WAIT_S`.
        """
        s = self.section
        targets = list(records) if records is not None else (
            [s.record] if s.record is not None else [])
        if self.busy or not targets or not self._login(targets[0].url):
            return None
        task = self._run(s.release_job(targets), Action.RELEASE, 0)
        if task is not None and wait:
            self.wait(len(targets) * (s.settings().http_timeout + SHUTDOWN_WAIT_S))
        return task

    def _take_fields(self) -> None:
        """The URL and user typed but not yet confirmed with Enter count too."""
        self.section.set_url(self.panel.farmUrl.text())
        self.section.set_user(self.panel.farmUser.text())
        self._chosen()

    # -- opening, closing ----------------------------------------------------------------------

    def offer_left_behind(self) -> None:
        """On open: reservations a 3ds Max that is gone left open are offered for release."""
        records = self.section.left_behind()
        if not records:
            return
        count = len(records)
        head = (f"{'A farm reservation was' if count == 1 else f'{count} farm reservations were'}"
                " left behind by a 3ds Max that closed while it held them. Release "
                f"{'it' if count == 1 else 'them'} now? The farm gets the machines back and "
                "each server list is put back as it was.")
        choice = self.panel.dialogs.farm_ask(
            title="Farm reservations left behind", head=head,
            items=[describe(r) for r in records], keep_text="Not now", can_cancel=False)
        if choice == FarmAskDialog.RELEASE:
            self.set_open(True)
            self.release(records)
        else:
            self.section.keep_left_behind(records)

    def ask_before_close(self, *, can_cancel: bool, wait: bool) -> bool:
        """Closing the panel, the window or 3ds Max: ask about an open reservation.

        A reservation still being made is cancelled (and so undone). Otherwise the artist
        chooses: Release (the machines go back, the list comes back), keep it reserved (it
        stays on record, offered again by the next panel), or, where closing can still be
        stopped, Cancel.

        Args:
            can_cancel: closing can be stopped (the dock, the window; not 3ds Max's shutdown).
            wait: the process is ending: let the release (or the undo) finish first.

        Returns:
            False when the artist chose Cancel (the panel stays open).
        """
        s = self.section
        bound = s.settings().http_timeout + SHUTDOWN_WAIT_S
        if self.reserving or self._action is Action.RELEASE:
            self.cancel()  # a reservation being made is undone; a release runs to its end
            if wait:
                self.wait(bound)
            return True
        if self.busy and wait:  # the pools being read: let that end first
            self.wait(bound)
        question = s.close_question()
        if question is None or not self.ask_on_close:
            return True
        choice = self.panel.dialogs.farm_ask(
            title="Farm reservation open", head=question, items=[],
            keep_text="Keep reserved", can_cancel=can_cancel)
        if choice == FarmAskDialog.CANCEL:
            return False
        if choice == FarmAskDialog.RELEASE:
            self.release(wait=wait)
        return True


__all__ = ["OPEN_KEY", "FarmPanel", "describe"]
