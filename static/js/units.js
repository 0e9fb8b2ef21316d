// The conversion echo beside a figure typed in a display unit: 8.2 (亿元) -> "= 820,000,000 元".
(function () {
  function echo(input) {
    var out = document.querySelector('output[for="' + input.id + '"]');
    if (!out) return;
    var factor = parseFloat(input.dataset.factor || "1");
    var typed = parseFloat(input.value);
    if (isNaN(typed) || factor === 1) { out.textContent = ""; return; }
    var base = Math.round(typed * factor * 100) / 100;
    out.textContent = "= " + base.toLocaleString("en-US", { maximumFractionDigits: 2 }) + " " + (input.dataset.base || "");
  }
  document.querySelectorAll("input[data-factor]").forEach(function (input) {
    input.addEventListener("input", function () { echo(input); });
    echo(input);
  });
})();
