// A solution's title, "Solution to Exercise N (Title)", is mostly a link back
// to its exercise. sphinx-togglebutton makes the whole title open and fold the
// solution, but a click that lands on that link finds no button, throws
// "button is not defined" and jumps to the exercise instead. Make a click
// anywhere on the title do what the reader expects: open or fold the solution.
document.addEventListener("DOMContentLoaded", () => {
  document
    .querySelectorAll(".solution.dropdown > .admonition-title a")
    .forEach((link) => {
      link.addEventListener("click", (event) => {
        const button = link
          .closest(".admonition-title")
          .querySelector("button.toggle-button");
        if (button === null) {
          return; // no toggle here: keep the link a link
        }
        event.preventDefault();
        event.stopPropagation();
        button.click();
      });
    });
});
