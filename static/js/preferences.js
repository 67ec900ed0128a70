// Quick marking on the preference list: 1 = gern, 2 = neutral, 3 = lieber nicht marks the entry the focus is in and
// moves the focus to the next entry (htmx saves the change). Arrow keys and Tab work as in any radio group; without
// JavaScript the list is one form with a save button.
const preferenceList = document.getElementById("preference-form");
if (preferenceList) {
  const values = { 1: "gern", 2: "neutral", 3: "lieber_nicht" };
  preferenceList.addEventListener("keydown", (event) => {
    const value = values[event.key];
    if (!value || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.matches("textarea, select, input[type=text], input[type=search]")) return;
    const item = event.target.closest(".preference-item");
    const choice = item && item.querySelector("fieldset.preference-choice");
    if (!choice || choice.disabled) return;
    event.preventDefault();
    const radio = choice.querySelector(`input[type=radio][value="${value}"]`);
    if (!radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    const choices = [...preferenceList.querySelectorAll("fieldset.preference-choice:not([disabled])")];
    const next = choices[choices.indexOf(choice) + 1];
    if (next) (next.querySelector("input:checked") || next.querySelector("input[type=radio]")).focus();
    else radio.focus();
  });
}
