"""The citizen's report conversation in a private chat, one module per job.

- :mod:`~handlers.report.start` — /report, /cancel, resuming or restoring a draft, and a photo or a
  point sent outside a report (offered as the start of one);
- :mod:`~handlers.report.steps` — a message while a report is under way, handled by the step the
  draft is on (category, location or typed address, nearby reports, photos, description, summary);
- :mod:`~handlers.report.buttons` — the inline buttons, one handler per kind of button;
- :mod:`~handlers.report.prompts` — what each step asks, with its keyboard;
- :mod:`~handlers.report.labels` — the reply-keyboard labels in every language.

Every handler follows the same order: load the draft, let the reporting service change and save
it, then answer. The step lives in the draft row, so a restart loses nothing.
"""

from handlers.report.labels import KEYBOARD_LABELS
from handlers.report.start import begin_report, cancel_command

__all__ = ["KEYBOARD_LABELS", "begin_report", "cancel_command"]
