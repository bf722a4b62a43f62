/* A warning before leaving the exercise form with unsaved changes (admin_publish.py).

   The form's values are noted once the page has loaded; leaving the page (a link, closing the
   tab, reloading) while they differ asks the browser's "Leave site?" question. Submitting the
   form never asks. Reordering by drag or move buttons changes the position fields, so it
   counts. Without JavaScript nothing is asked, as before.
*/
"use strict";

(function () {
    function state(form) {
        const values = [];
        for (const [name, value] of new FormData(form)) {
            // A chosen file counts by its name; an empty file input is skipped.
            values.push([name, value instanceof File ? value.name : value]);
        }
        return JSON.stringify(values);
    }

    window.addEventListener("load", () => {
        const form = document.getElementById("exercise_form");
        if (!form) {
            return;
        }
        let saved = state(form);
        let submitting = false;
        form.addEventListener("submit", () => {
            submitting = true;
        });
        window.addEventListener("beforeunload", (event) => {
            if (!submitting && state(form) !== saved) {
                event.preventDefault();
                event.returnValue = "";  // older browsers need a value to ask
            }
        });
        // Back-forward cache: a page shown again starts from what it shows.
        window.addEventListener("pageshow", (event) => {
            if (event.persisted) {
                saved = state(form);
                submitting = false;
            }
        });
    });
})();
