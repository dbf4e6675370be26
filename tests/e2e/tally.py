"""Named checks for the end-to-end scripts: each prints `test NAME ... ok` or `... FAILED`, and
`finish` prints "LABEL: N passed, N failed" and gives the exit code (1 on any failure)."""
import traceback


class Tally:
    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"test {name} ... ok", flush=True)
        else:
            self.failed += 1
            print(f"test {name} ... FAILED {detail}", flush=True)

    def run(self, name, function):
        """A check that passes when `function` returns; any exception fails it (and is shown)."""
        try:
            function()
            self.check(name, True)
        except Exception:  # noqa: BLE001 - report every failure, keep going
            self.check(name, False)
            traceback.print_exc()

    def broken(self):
        """The script itself failed before its checks could run: counts as a failure."""
        self.failed += 1
        traceback.print_exc()

    def finish(self):
        print(f"{self.label}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
