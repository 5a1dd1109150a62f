// htm bound to Preact: the page's views are tagged templates, with no build step. Preact writes every
// value as text (never as HTML), so bodies and names shown are escaped whatever they hold.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
