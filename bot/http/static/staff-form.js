// The report page's forms (bot/http/staff_forms.py): a photo over the limit is refused before
// it is sent, instead of after minutes of upload on a phone. Only help: the server checks the
// size again, and every form works without this script.
(function () {
  "use strict";
  for (const input of document.querySelectorAll("input[type=file][data-max-bytes]")) {
    const form = input.form;
    const limit = Number(input.dataset.maxBytes);
    const note = document.createElement("p");
    note.className = "error";
    note.setAttribute("role", "alert");
    note.hidden = true;
    note.textContent = input.dataset.tooBig;
    input.closest("label").after(note);
    const tooBig = () => Boolean(input.files.length && input.files[0].size > limit);
    input.addEventListener("change", () => {
      note.hidden = !tooBig();
    });
    form.addEventListener("submit", (event) => {
      if (tooBig()) {
        event.preventDefault();
        note.hidden = false;
      }
    });
  }
})();
