"""The citizen's report conversation in a private chat, one module per job.

- :mod:`~handlers.report.start` — /report, /cancel, resuming or restoring a draft, and a photo or a
  point sent outside a report (the start of one, the category asked next);
- :mod:`~handlers.report.steps` — a message while a report is under way, handled by the step the
  draft is on (category, location or typed address, nearby reports, photos, description);
- :mod:`~handlers.report.summary` — the summary's buttons and the submission's answers;
- :mod:`~handlers.report.media` — photos and albums at any step, a location at another step, and
  what cannot be used (voice, video, stickers, contacts);
- :mod:`~handlers.report.prompts` — what each step asks, with its keyboard;
- :mod:`~handlers.report.labels` — the reply keyboards' labels in every language;
- :mod:`~handlers.report.buttons` and :mod:`~handlers.report.presses` — the inline buttons left
  (continue, restore, and those on messages from before the reply keyboards).

Every handler follows the same order: load the draft, let the reporting service change and save
it, then answer with one message. The step lives in the draft row, so a restart loses nothing.
"""

from handlers.report.labels import KEYBOARD_LABELS
from handlers.report.start import begin_report, cancel_command

__all__ = ["KEYBOARD_LABELS", "begin_report", "cancel_command"]
