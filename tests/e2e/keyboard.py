"""Filling forms with the keyboard only: Tab and Shift+Tab to move, typing, Space and arrows, Enter.

Each move checks that the element reached has the focus and shows it (:focus-visible)."""

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

MAX_TAB_STOPS = 120


class KeyboardUser:
    def __init__(self, page: Page):
        self.page = page
        self._date_order: str | None = None

    def skip_to_content(self) -> None:
        """From the top of a fresh page: the first Tab reaches the skip link, Enter jumps to the content.

        After a redirection the browser keeps the link's #content fragment, and starts there already."""
        if self.page.url.endswith("#content"):
            return
        self.page.keyboard.press("Tab")
        skip_link = self.page.locator(".fr-skiplinks a[href='#content']")
        assert skip_link.evaluate("el => document.activeElement === el"), (
            "the first Tab stop is not the skip link"
        )
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("() => document.activeElement.id") == "content"

    def tab_to(self, target: Locator, *, backwards: bool = False) -> None:
        """Presses Tab (or Shift+Tab) until `target` has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        element = target.element_handle()
        for _ in range(MAX_TAB_STOPS):
            if element.evaluate("el => document.activeElement === el"):
                break
            self.page.keyboard.press(key)
        else:
            raise AssertionError(f"{target} cannot be reached with {key}")
        assert element.evaluate("el => el.matches(':focus-visible')"), f"{target} has no visible focus"

    def type_into(self, target: Locator, text: str, *, backwards: bool = False) -> None:
        """Reaches a text field and replaces its content by `text`."""
        self.tab_to(target, backwards=backwards)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def type_date(self, target: Locator, iso_date: str) -> None:
        """A date field (<input type=date>) takes the digits in the order the browser shows them."""
        self.tab_to(target)
        year, month, day = iso_date.split("-")
        parts = {"d": day, "m": month, "y": year}
        self.page.keyboard.type("".join(parts[letter] for letter in self.date_order()))
        assert target.input_value() == iso_date, f"{target} holds {target.input_value()!r}, not {iso_date}"

    def date_order(self) -> str:
        """ "dmy", "mdy" or "ymd": the segments of a date field, found once by typing into a scratch page."""
        if self._date_order is None:
            scratch = self.page.context.new_page()
            scratch.set_content("<input type=date>")
            scratch.locator("input").focus()
            scratch.keyboard.type("01022003")
            value = scratch.locator("input").input_value()
            scratch.close()
            self._date_order = {"2003-02-01": "dmy", "2003-01-02": "mdy"}.get(value, "ymd")
        return self._date_order

    def choose_radio(self, name: str, *, value: str = "", label: str = "") -> None:
        """Tab into a radio group, move with the arrows to the option, check it with Space."""
        if label:
            value = self.page.get_by_role("radio", name=label, exact=True).get_attribute("value")
        group = self.page.locator(f"input[type=radio][name='{name}']")
        self.tab_to_any(group)
        for _ in range(group.count()):
            if self.page.evaluate("() => document.activeElement.value") == value:
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        chosen = self.page.locator(f"input[type=radio][name='{name}'][value='{value}']")
        assert chosen.is_checked(), f"{name}={value} is not checked"

    def tab_to_any(self, targets: Locator) -> None:
        for _ in range(MAX_TAB_STOPS):
            if targets.evaluate_all("els => els.includes(document.activeElement)"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"None of {targets} can be reached with Tab")

    def select(self, target: Locator, value: str) -> None:
        """A closed <select>: the arrows change the chosen option."""
        self.tab_to(target)
        options = target.evaluate("el => Array.from(el.options).map(o => o.value)")
        current = options.index(target.input_value())
        wanted = options.index(value)
        key = "ArrowDown" if wanted > current else "ArrowUp"
        for _ in range(abs(wanted - current)):
            self.page.keyboard.press(key)
        assert target.input_value() == value, f"{target} holds {target.input_value()!r}, not {value!r}"

    def check(self, target: Locator) -> None:
        self.tab_to(target)
        if not target.is_checked():
            self.page.keyboard.press("Space")
        assert target.is_checked()

    def press(self, target: Locator, key: str = "Enter") -> None:
        """Activates a button or a link: reach it, then Enter (or Space)."""
        self.tab_to(target)
        self.page.keyboard.press(key)

    def upload(self, target: Locator, path) -> None:
        """A file field opens the system's file chooser with Space; the test answers the chooser.

        Chromium now and then drops the chooser of a key press made right after a page load: the
        person presses Space again, as anyone would."""
        self.tab_to(target)
        for _attempt in range(5):
            try:
                with self.page.expect_file_chooser(timeout=2_000) as chooser:
                    self.page.keyboard.press("Space")
                break
            except PlaywrightTimeoutError:
                assert self.focused(target), f"{target} lost the focus: {self.active_element()}"
        else:
            raise AssertionError(f"Space on {target} opens no file chooser")
        chooser.value.set_files(path)

    def focused(self, target: Locator) -> bool:
        return target.evaluate("el => document.activeElement === el")

    def active_element(self) -> str:
        return self.page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
