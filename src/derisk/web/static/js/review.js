/* News review: send only the fields a person changed (the rest stay as proposed). */
"use strict";
document.querySelectorAll("form.decide").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("input[data-original]").forEach(function (el) {
      if (el.value === el.dataset.original) el.disabled = true;
    });
  });
});
