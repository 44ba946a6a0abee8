// "Utiliser ce modèle": with JavaScript, the chosen template fills its textarea in place (without,
// the form reloads the dossier screen with the text prefilled by the server).
document.querySelectorAll("form[data-wif-template-target]").forEach(function (picker) {
  picker.addEventListener("submit", function (event) {
    var textarea = document.getElementById(picker.dataset.wifTemplateTarget);
    var option = picker.querySelector("select").selectedOptions[0];
    if (!textarea || !option) {
      return;
    }
    event.preventDefault();
    textarea.value = option.dataset.body;
    textarea.focus();
  });
});
