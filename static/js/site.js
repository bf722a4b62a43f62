// Progressive enhancement only: every page works without this file.
// A sort menu marked data-autosubmit applies itself as soon as the visitor picks a value.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("select[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});
