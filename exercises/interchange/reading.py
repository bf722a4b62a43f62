"""Reading a library file a piece at a time: a Forge library's exercises are decoded one record
at a time, and read again for each pass over them (checking, then writing), so memory does not
grow with the file.

Each value is decoded by Python's own json module, so a file is read exactly as json.loads
reads it (lone surrogates, duplicate keys, messages naming the line and column) and a value
nested too deeply fails as a RecursionError instead of exhausting memory.
"""

import codecs
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from inspect import isgenerator
from json.decoder import WHITESPACE
from pathlib import Path

from .format import LibraryError, Record, label, parse

# Bytes read at a time.
BLOCK = 1 << 20
# A JSON error this far before the end of the text read so far cannot be the end of the block
# cutting a value short ("tru", "\u00", "1e"): the file itself is malformed there.
TRUNCATION_MARGIN = 16
TOO_DEEP = "not a library: its lists and objects are nested too deeply to be exercise records"
DECODER = json.JSONDecoder()
# The key under which scan() counts the exercises it does not keep.
STREAMED = object()


class NoProgress:
    def update(self, count=1):
        pass

    def close(self):
        pass


def no_progress(iterable, **kwargs):
    return NoProgress() if iterable is None else iterable


class Library:
    """A library file opened for import: `data` is what the importer reads. For a Forge
    library (a JSON object) it is the top-level values with `exercises` an ExerciseStream;
    anything else (a free-exercise-db list, which is small) is parsed whole, as before."""

    def __init__(self, path, progress=None):
        self.path = path
        self.spool = None
        self.fingerprint = None  # the file as the first pass read it (see open())
        if path == "-":
            # Standard input can be read once; the passes over it read a copy on disk.
            self.spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
            stdin = getattr(sys.stdin, "buffer", None)
            if stdin is not None:
                shutil.copyfileobj(stdin, self.spool)
            else:
                self.spool.write(sys.stdin.read().encode("utf-8", "surrogatepass"))
        progress = progress or no_progress
        with self.open() as binary:
            try:
                # Read more than once, so never a pipe: "-" reads one into a file first.
                size = binary.seek(0, 2)
                binary.seek(0)
            except OSError as error:
                raise LibraryError(f"cannot read it again: {error.strerror or error}") from None
            bar = progress(None, total=size, desc="Reading the file", unit="B", unit_scale=True)
            try:
                text = Text(binary, on_read=bar.update)
                if text.peek() == "{":
                    self.data = scan(text)
                else:
                    binary.seek(0)
                    self.data = parse(binary.read())
            finally:
                bar.close()
        if isinstance(self.data, dict) and STREAMED in self.data:
            self.data["exercises"] = ExerciseStream(self, self.data.pop(STREAMED))

    @contextmanager
    def open(self):
        """The file's bytes from the start."""
        if self.spool is not None:
            self.spool.seek(0)
            yield self.spool
            return
        try:
            binary = Path(self.path).open("rb")  # noqa: SIM115 (closed by the with below)
        except OSError as error:
            raise LibraryError(f"cannot read it: {error.strerror or error}") from None
        with binary:
            # Each pass reads the file again: one that changed after the first pass (an edit,
            # a copy over it) is refused, and the import's transaction writes nothing.
            status = os.fstat(binary.fileno())
            fingerprint = (status.st_ino, status.st_size, status.st_mtime_ns)
            if self.fingerprint is None:
                self.fingerprint = fingerprint
            elif fingerprint != self.fingerprint:
                raise LibraryError(
                    "it changed while it was being imported; nothing was written: import it again"
                )
            yield binary

    def close(self):
        if self.spool is not None:
            self.spool.close()


class ExerciseStream:
    """The exercise records of a Forge file, decoded one at a time on each pass."""

    def __init__(self, library, count):
        self.library = library
        self.count = count

    def __len__(self):
        return self.count

    def __iter__(self):
        with self.library.open() as binary:
            for key, value in entries(Text(binary)):
                if key == "exercises" and isgenerator(value):
                    for index, item in enumerate(value):
                        yield Record(label("exercises", index, item), item)
                    return


class Text:
    """The file's text around the value being read: decoded from UTF-8 a block at a time, and
    dropped once read, with what messages need to name a line and column of the whole file."""

    def __init__(self, binary, on_read=None):
        self.binary = binary
        self.on_read = on_read
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.eof = False
        # Where self.text starts in the file: its line, and the characters of that line before.
        self.line, self.column = 1, 0
        # Bytes read so far, for messages about a byte that is not UTF-8.
        self.read_bytes, self.byte_lines, self.byte_line_start = 0, 0, 0
        head = binary.read(len(codecs.BOM_UTF8))
        self.read_bytes = len(head) if head == codecs.BOM_UTF8 else 0
        self.text = "" if head == codecs.BOM_UTF8 else self.decode(head, final=False)

    def decode(self, raw, final):
        pending = len(self.decoder.getstate()[0])
        try:
            decoded = self.decoder.decode(raw, final)
        except UnicodeDecodeError as error:
            before = error.object[: error.start]
            newline = before.rfind(b"\n")
            line = self.byte_lines + before.count(b"\n") + 1
            offset = self.read_bytes - pending + error.start
            column = error.start - newline if newline >= 0 else offset - self.byte_line_start + 1
            raise LibraryError(
                f"not UTF-8 text: byte 0x{error.object[error.start]:02X} at line {line}, column "
                f"{column} cannot be read; save the file as UTF-8"
            ) from None
        if b"\n" in raw:
            self.byte_lines += raw.count(b"\n")
            self.byte_line_start = self.read_bytes + raw.rfind(b"\n") + 1
        self.read_bytes += len(raw)
        if self.on_read is not None:
            self.on_read(len(raw))
        return decoded

    def more(self):
        """Read the next block, dropping the text before the current position; False at the
        end of the file."""
        if self.eof:
            return False
        raw = self.binary.read(BLOCK)
        self.eof = not raw
        dropped = self.text[: self.pos]
        newline = dropped.rfind("\n")
        if newline >= 0:
            self.line += dropped.count("\n")
            self.column = len(dropped) - newline - 1
        else:
            self.column += len(dropped)
        self.text = self.text[self.pos :] + self.decode(raw, final=self.eof)
        self.pos = 0
        return True

    def peek(self):
        """The next character after white space ("" at the end of the file)."""
        while True:
            self.pos = WHITESPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos : self.pos + 1]

    def expect(self, char, message):
        if self.peek() != char:
            raise self.error(message, self.pos)
        self.pos += 1

    def value(self):
        """Decode the JSON value at the current position and move past it."""
        while True:
            try:
                value, end = DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                final = error.pos < len(self.text) - TRUNCATION_MARGIN and not error.msg.startswith(
                    "Unterminated string"
                )
                if final or not self.read_on():
                    raise self.error(error.msg, error.pos) from None
                continue
            except RecursionError:
                raise LibraryError(TOO_DEEP) from None
            # A number at the end of the text may go on in the next block.
            if end < len(self.text) or not self.more():
                self.pos = end
                return value

    def read_on(self):
        """Read until the text from the current position is twice as long (a value longer
        than a block is decoded a few times, not once per block); False at the end."""
        wanted = 2 * (len(self.text) - self.pos) + 1
        read = False
        while len(self.text) - self.pos < wanted and self.more():
            read = True
        return read

    def ended(self, closing, container):
        """After a value of an object or array: whether its `closing` character follows (read
        past it), else the comma before the next value, json's messages for anything else."""
        following = self.peek()
        self.pos += 1
        if following == closing:
            return True
        if following != ",":
            raise self.error("Expecting ',' delimiter", self.pos - 1)
        comma = self.pos - 1
        if self.peek() == closing:
            raise self.error(f"Illegal trailing comma before end of {container}", comma)
        return False

    def error(self, message, pos):
        before = self.text[:pos]
        newline = before.rfind("\n")
        line = self.line + before.count("\n")
        column = pos - newline if newline >= 0 else self.column + pos + 1
        return LibraryError(f"not valid JSON: {message} (line {line}, column {column})")


def entries(text):
    """The (key, value) entries of the top-level object; the value of an "exercises" list is a
    generator of its items, which the caller reads (or not) before asking for the next entry."""
    text.expect("{", "Expecting value")
    if text.peek() == "}":
        text.pos += 1
        return
    while True:
        if text.peek() != '"':
            raise text.error("Expecting property name enclosed in double quotes", text.pos)
        key = text.value()
        text.expect(":", "Expecting ':' delimiter")
        if key == "exercises" and text.peek() == "[":
            values = items(text)
            yield key, values
            for _ in values:  # what the caller left unread
                pass
        else:
            if text.peek() == "":
                raise text.error("Expecting value", text.pos)
            yield key, text.value()
        if text.ended("}", "object"):
            break
    if text.peek() != "":
        raise text.error("Extra data", text.pos)


def items(text):
    """The values of the list at the current position, one at a time."""
    text.expect("[", "Expecting value")
    if text.peek() == "]":
        text.pos += 1
        return
    while True:
        if text.peek() == "":
            raise text.error("Expecting value", text.pos)
        yield text.value()
        if text.ended("]", "array"):
            return


def scan(text):
    """Read the whole file once: every top-level value but the exercises, which are only
    counted (each is decoded, so a malformed one is found before anything is checked)."""
    data = {}
    for key, value in entries(text):
        if key == "exercises" and isgenerator(value):
            if STREAMED in data:
                raise LibraryError('"exercises" is given twice')
            data[STREAMED] = sum(1 for _ in value)
            data[key] = None
        else:
            data[key] = value
    return data
