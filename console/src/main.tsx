/** The console's entry: styles, then the app into #app (console/index.html is written by scripts/build-console.mjs). */
import { render } from "preact";
import { App } from "./app";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
