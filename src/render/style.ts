export type Style = (text: string) => string;

export interface Palette {
  green: Style;
  yellow: Style;
  red: Style;
  cyan: Style;
  bold: Style;
  dim: Style;
}

/** ANSI styles, or identity functions when colour is off (the CLI decides from TTY and NO_COLOR). */
export function palette(color: boolean): Palette {
  const sgr = (code: string): Style => (color ? (text) => `\x1b[${code}m${text}\x1b[0m` : (text) => text);
  return { green: sgr('32'), yellow: sgr('33'), red: sgr('31'), cyan: sgr('36'), bold: sgr('1'), dim: sgr('90') };
}
