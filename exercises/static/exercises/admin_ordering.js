/* Move buttons for the exercise form's ordered lists (exercises/admin_ordering.py).

   django-admin-sortable2 lets a mouse drag a row; its own "first"/"last" arrows are not
   focusable. This adds real buttons, "Move step 2 up" and "Move step 2 down", to every saved
   row, moves the row in the page and writes the new numbers into the position fields, as a
   drag does. Nothing is saved until the form is; without JavaScript the position numbers are
   typed instead. A live region says where the row went.
*/
"use strict";

(function () {
    const ROWS = "tr.form-row.has_original, .inline-related.has_original";

    function rowsOf(group) {
        return Array.from(group.querySelectorAll(ROWS)).filter(
            (row) => row.closest(".js-inline-admin-formset") === group
        );
    }

    function nounOf(group) {
        const input = group.querySelector("input._reorder_");
        return (input && input.dataset.orderNoun) || "row";
    }

    /* A button reads "Move step 2 up" and shows "up": the rest is for screen readers, the
       visible word is part of the name (voice control finds it by what it shows). */
    function name(button, hidden, shown) {
        const prefix = document.createElement("span");
        prefix.className = "visually-hidden";
        prefix.textContent = hidden;
        const arrow = document.createElement("span");
        arrow.setAttribute("aria-hidden", "true");
        arrow.textContent = shown === "up" ? "▲ " : "▼ ";
        button.replaceChildren(prefix, arrow, shown);
    }

    /* Name each row's buttons after its place in the page. */
    function label(group) {
        const rows = rowsOf(group);
        const noun = nounOf(group);
        rows.forEach((row, index) => {
            const place = index + 1;
            const up = row.querySelector("button.order-up");
            const down = row.querySelector("button.order-down");
            if (up) {
                name(up, `Move ${noun} ${place} `, "up");
                up.disabled = index === 0;
            }
            if (down) {
                name(down, `Move ${noun} ${place} `, "down");
                down.disabled = index === rows.length - 1;
            }
        });
    }

    /* After a move: number the rows 1, 2, 3… in page order, as a drag does. Not on load: a
       form shown again with an error keeps the numbers the trainer typed. */
    function renumber(group) {
        rowsOf(group).forEach((row, index) => {
            const input = row.querySelector("input._reorder_");
            if (input && input.value !== String(index + 1)) {
                input.value = String(index + 1);
                // The unsaved-changes warning (admin_unsaved.js) counts this as an edit.
                input.dispatchEvent(new Event("change", { bubbles: true }));
            }
        });
        label(group);
    }

    function announce(group, text) {
        const status = group.querySelector(".order-status");
        if (status) {
            status.textContent = text;
        }
    }

    function move(group, row, step) {
        const rows = rowsOf(group);
        const from = rows.indexOf(row);
        const to = from + step;
        if (from < 0 || to < 0 || to >= rows.length) {
            return;
        }
        if (step < 0) {
            rows[to].before(row);
        } else {
            rows[to].after(row);
        }
        renumber(group);
        const button = row.querySelector(step < 0 ? "button.order-up" : "button.order-down");
        // Keep the focus on the moved row; at the top or bottom its button is disabled.
        const other = row.querySelector(step < 0 ? "button.order-down" : "button.order-up");
        (button.disabled ? other : button).focus();
        const noun = nounOf(group);
        announce(group, `${noun} moved to position ${to + 1} of ${rows.length}. Save to keep it.`);
    }

    function addButtons(group) {
        const status = document.createElement("p");
        status.className = "order-status visually-hidden";
        status.setAttribute("role", "status");
        group.prepend(status);
        rowsOf(group).forEach((row) => {
            const input = row.querySelector("input._reorder_");
            if (!input) {
                return;
            }
            const box = document.createElement("span");
            box.className = "order-buttons";
            for (const [name, step] of [["order-up", -1], ["order-down", 1]]) {
                const button = document.createElement("button");
                button.type = "button";
                button.className = `button ${name}`;
                button.addEventListener("click", () => move(group, row, step));
                box.append(button);
            }
            input.after(box);
        });
        label(group);
        // A drag (django-admin-sortable2) moves rows too and sets their numbers: rename the
        // buttons after it, and let the unsaved-changes warning know.
        const body = group.querySelector("tbody") || group.querySelector("fieldset");
        if (body) {
            new MutationObserver(() => {
                label(group);
                group.dispatchEvent(new Event("change", { bubbles: true }));
            }).observe(body, { childList: true });
        }
    }

    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll(".js-inline-admin-formset").forEach((group) => {
            if (group.querySelector("input._reorder_")) {
                addButtons(group);
            }
        });
    });
})();
