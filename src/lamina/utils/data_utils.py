"""``get_file``: download a file once into the Keras cache, verify it, optionally extract it.

Same contract as ``keras.utils.get_file``: files live under ``~/.keras/datasets`` (so a cache
filled by Keras is reused as is), ``$LAMINA_HOME`` or ``$KERAS_HOME`` move that root, a hash
(sha256 or md5) is checked after download and on cache hits, tar and zip archives are
extracted with path-traversal protection. Downloads go to a temporary file that replaces the
target only once complete and verified, so an interrupted download never leaves a truncated
file in the cache. Without network access the error says which file to put where.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from typing import Any

__all__ = [
    "URLFetchError",
    "cache_root",
    "extract_archive",
    "get_file",
    "hash_file",
    "validate_file",
]

#: Bytes read from the network per progress-bar update.
_CHUNK_SIZE = 1 << 16
#: Seconds a socket may stay silent before the download is declared failed.
_TIMEOUT = 60.0


class URLFetchError(OSError):
    """A download failed (no network, HTTP error); the message says how to fill the cache by hand."""


def cache_root(cache_dir: str | os.PathLike | None = None) -> str:
    """The cache root: ``cache_dir``, else ``$LAMINA_HOME``, else ``$KERAS_HOME``, else ``~/.keras``.

    Falls back to ``<tmp>/.keras`` when the chosen root cannot be written, as Keras does.
    """
    if cache_dir is None:
        cache_dir = os.environ.get("LAMINA_HOME") or os.environ.get("KERAS_HOME")
        if not cache_dir:
            home = os.path.expanduser("~")
            if not os.access(home, os.W_OK):
                home = tempfile.gettempdir()
            cache_dir = os.path.join(home, ".keras")
    root = os.path.expanduser(os.fspath(cache_dir))
    probe = root
    while not os.path.exists(probe):  # the nearest existing ancestor decides writability
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.access(probe, os.W_OK):
        root = os.path.join(tempfile.gettempdir(), ".keras")
    return root


def _resolve_hasher(algorithm: str, file_hash: str | None = None) -> Any:
    if algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(
            f"Invalid `hash_algorithm`: {algorithm!r}. Expected one of 'auto', 'sha256', 'md5'."
        )
    if algorithm == "sha256" or (
        algorithm == "auto" and file_hash is not None and len(file_hash) == 64
    ):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath: str | os.PathLike, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of a file (``'sha256'``, ``'md5'``, or ``'auto'`` meaning sha256)."""
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(
    fpath: str | os.PathLike, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535
) -> bool:
    """Whether the file's sha256 or md5 (``'auto'``: by the hash's length) equals ``file_hash``."""
    hasher = _resolve_hasher(algorithm, file_hash)
    return hash_file(fpath, hasher, chunk_size) == str(file_hash).lower()


def _hash_name(algorithm: str, file_hash: str) -> str:
    return _resolve_hasher(algorithm, file_hash).name


# ----------------------------------------------------------------------------------- extraction


def _inside(base: str, name: str) -> bool:
    """Whether ``name`` (relative to ``base``) resolves to a path inside ``base``."""
    target = os.path.realpath(os.path.join(base, name))
    try:
        return os.path.commonpath([target, base]) == base
    except ValueError:  # different drives on Windows
        return False


def _safe_tar_members(archive: tarfile.TarFile, base: str):
    for info in archive:
        ok = _inside(base, info.name)
        if ok and info.issym():
            ok = _inside(base, os.path.join(os.path.dirname(info.name), info.linkname))
        elif ok and info.islnk():
            ok = _inside(base, info.linkname)
        elif ok and not (info.isfile() or info.isdir()):
            ok = False  # devices, fifos: never extracted from a downloaded archive
        if ok:
            yield info
        else:
            warnings.warn(
                f"Skipping unsafe path during archive extraction: {info.name!r}.", stacklevel=3
            )


def _safe_zip_members(archive: zipfile.ZipFile, base: str):
    for info in archive.infolist():
        if _inside(base, info.filename):
            yield info
        else:
            warnings.warn(
                f"Skipping unsafe path during archive extraction: {info.filename!r}.",
                stacklevel=3,
            )


def extract_archive(
    file_path: str | os.PathLike,
    path: str | os.PathLike = ".",
    archive_format: str | list[str] | None = "auto",
) -> bool:
    """Extract a tar (plain, gz, bz2, xz) or zip archive into ``path``; ``True`` if one matched.

    ``archive_format``: ``'auto'`` (tar then zip), ``'tar'``, ``'zip'``, a list of those, or
    ``None`` (extract nothing). Members that would land outside ``path`` (absolute names,
    ``..``, links pointing out) are skipped with a warning.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    if isinstance(formats, str):
        formats = [formats]
    for fmt in formats:
        if fmt not in ("tar", "zip"):
            raise ValueError(
                f"Invalid `archive_format`: {fmt!r}. Expected 'auto', 'tar', 'zip' or None."
            )
    file_path, path = os.fspath(file_path), os.fspath(path)
    for fmt in formats:
        if fmt == "tar" and tarfile.is_tarfile(file_path):
            os.makedirs(path, exist_ok=True)
            base = os.path.realpath(path)
            with tarfile.open(file_path) as archive:
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(path, members=_safe_tar_members(archive, base), **kwargs)
            return True
        if fmt == "zip" and zipfile.is_zipfile(file_path):
            os.makedirs(path, exist_ok=True)
            base = os.path.realpath(path)
            with zipfile.ZipFile(file_path) as archive:
                archive.extractall(path, members=list(_safe_zip_members(archive, base)))
            return True
    return False


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


def _extract_atomically(archive: str, dest: str, archive_format, *, merge: bool = False) -> bool:
    """Extract into a temporary sibling directory, then move the result into place.

    ``merge=False``: the directory ``dest`` is replaced by the extracted tree (Keras 3).
    ``merge=True``: each top-level entry of the archive replaces its namesake inside ``dest``
    (Keras 2 ``untar``, which extracted straight into the cache directory).
    An interrupted extraction never leaves a half-written tree under the final name.
    """
    parent = dest if merge else os.path.dirname(dest)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(dest)}.", dir=parent)
    try:
        if not extract_archive(archive, tmp, archive_format):
            return False
        if merge:
            for entry in os.listdir(tmp):
                _remove(os.path.join(dest, entry))
                os.replace(os.path.join(tmp, entry), os.path.join(dest, entry))
        else:
            _remove(dest)
            os.replace(tmp, dest)
        return True
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------- download


class _FallbackProgbar:
    """A one-line byte counter, used only when ``lamina.utils.progbar`` is not available."""

    def __init__(self, target: int | None, width: int = 30) -> None:
        self.target, self.width = target, width
        self._start = time.time()

    def update(self, current: int, finalize: bool | None = None) -> None:
        elapsed = time.time() - self._start
        if self.target:
            done = int(self.width * min(current, self.target) / self.target)
            bar = "=" * max(done - 1, 0) + (">" if done < self.width else "=") * (done > 0)
            line = f"{current}/{self.target} [{bar.ljust(self.width, '.')}] - {elapsed:.0f}s"
        else:
            line = f"{current} - {elapsed:.0f}s"
        done_now = (
            finalize if finalize is not None else bool(self.target) and current >= self.target
        )
        end = "\n" if done_now else ""
        sys.stdout.write("\r" + line + end)
        sys.stdout.flush()


def _make_progbar(target: int | None):
    try:
        from lamina.utils.progbar import Progbar
    except ImportError:
        return _FallbackProgbar(target)
    return Progbar(target)


def _manual_hint(
    origin: str, target: str, file_hash: str | None, algorithm: str, alt: str | None = None
) -> str:
    hint = (
        f"To work offline, download {origin} on a machine with internet access and save it "
        f"as {target}"
    )
    if alt:
        hint += f" (or as {alt})"
    if file_hash:
        hint += f"; expected {_hash_name(algorithm, file_hash)}: {file_hash}"
    return hint + "."


def _download(
    origin: str, dest: str, fname: str, file_hash, algorithm: str, alt: str | None = None
) -> None:
    """Stream ``origin`` into a temporary file beside ``dest``, verify, then ``os.replace``."""
    print(f"Downloading data from {origin}")
    directory = os.path.dirname(dest)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(dest)}.", suffix=".part", dir=directory)
    try:
        try:
            request = urllib.request.Request(origin, headers={"User-Agent": "lamina"})
            with (
                urllib.request.urlopen(request, timeout=_TIMEOUT) as response,
                os.fdopen(fd, "wb") as out,
            ):
                fd = None
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                progbar = _make_progbar(total)
                current = 0
                while True:
                    chunk = response.read(_CHUNK_SIZE)
                    if not chunk:
                        break
                    out.write(chunk)
                    current += len(chunk)
                    progbar.update(current if total is None else min(current, total))
                if total is None:
                    progbar.update(current, finalize=True)
                if total is not None and current < total:
                    raise URLFetchError(
                        f"Download of {origin} was cut short: received {current} of {total} "
                        f"bytes. Try again. {_manual_hint(origin, dest, file_hash, algorithm, alt)}"
                    )
        except urllib.error.HTTPError as e:
            raise URLFetchError(
                f"URL fetch failure on {origin}: {e.code} -- {e.reason}. Could not download "
                f"{fname!r}. {_manual_hint(origin, dest, file_hash, algorithm, alt)}"
            ) from None
        except (
            TimeoutError,
            urllib.error.URLError,
            ConnectionError,
            http.client.HTTPException,
        ) as e:
            reason = getattr(e, "reason", e)
            raise URLFetchError(
                f"Could not download {fname!r} from {origin} ({reason}); this machine may be "
                f"offline. {_manual_hint(origin, dest, file_hash, algorithm, alt)}"
            ) from None
        finally:
            if fd is not None:
                os.close(fd)
        if file_hash is not None and not validate_file(tmp, file_hash, algorithm):
            raise ValueError(
                "Incomplete or corrupted file detected. The "
                f"{_hash_name(algorithm, file_hash)} file hash of the download from {origin} "
                f"does not match the provided value of {file_hash}."
            )
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def get_file(
    fname: str | os.PathLike | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: str | list[str] | None = "auto",
    cache_dir: str | os.PathLike | None = None,
    force_download: bool = False,
) -> str:
    """Download ``origin`` into the cache unless it is already there; return the local path.

    The file goes to ``<cache_dir>/<cache_subdir>/<fname>`` (default ``~/.keras/datasets``;
    ``$LAMINA_HOME`` or ``$KERAS_HOME`` replace ``~/.keras``; an absolute ``cache_subdir`` is
    used as is). ``fname`` defaults to the last part of the URL. With ``file_hash`` (sha256,
    or md5: ``hash_algorithm='auto'`` tells them apart by length) a cached file that does not
    match is downloaded again and a download that does not match raises ``ValueError``.

    With ``extract=True`` the archive is unpacked and the extraction directory is returned,
    as in Keras 3: ``fname`` without a dot names that directory (the archive is stored beside
    it as ``<fname>_archive``); ``fname`` with a dot names the archive and
    ``<stem>_extracted`` is the directory. The Keras 2 spelling ``untar=True`` keeps its
    Keras 2 meaning, so tf.keras 2.x code finds its files where it expects them: the archive
    is stored as ``<fname>.tar.gz``, unpacked into the cache directory, and
    ``<cache>/<fname>`` is returned. An archive is unpacked again only when it was just
    downloaded or its directory is missing or empty (Keras 3 unpacks on every call; the
    files are the same).

    Example:
        >>> path = get_file(origin="https://example.com/data.csv")  # doctest: +SKIP
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if not isinstance(origin, str):
        raise TypeError(f"`origin` must be a URL string. Received: origin={origin!r}")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        file_hash = str(file_hash).lower()
    _resolve_hasher(hash_algorithm, file_hash)  # validates the argument early

    datadir = os.path.join(cache_root(cache_dir), os.path.expanduser(cache_subdir))
    os.makedirs(datadir, exist_ok=True)

    provided = fname is not None and os.fspath(fname) != ""
    fname = os.fspath(fname) if provided else ""
    url_name = os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        fname = url_name
        if not fname:
            raise ValueError(
                f"Can't parse the file name from the origin provided: {origin!r}. "
                "Please specify the `fname` argument."
            )
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. To specify the file's "
            f"parent directory, use the `cache_dir` argument. Received: fname={fname}"
        )

    extraction_dir = None
    if untar:
        # Keras 2: the archive is "<fname>.tar.gz", unpacked into the cache directory itself,
        # and "<cache>/<fname>" (the folder the archive is expected to hold) is returned.
        if fname.endswith(".tar.gz"):
            fname = fname[: -len(".tar.gz")]
        extraction_dir = os.path.join(datadir, fname)
        download_target = extraction_dir + ".tar.gz"
    elif extract:
        if provided and "." in fname:
            download_target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[: fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, f"{fname}_archive")
    else:
        download_target = os.path.join(datadir, fname)

    # A file placed by hand under the URL's own name is accepted too (the offline route).
    candidates = [download_target]
    manual = os.path.join(datadir, url_name) if url_name else None
    if manual and manual != download_target and manual != extraction_dir:
        candidates.append(manual)

    downloaded = False
    found = None
    if not force_download:
        for candidate in candidates:
            if not os.path.isfile(candidate):
                continue
            if file_hash is not None and not validate_file(candidate, file_hash, hash_algorithm):
                print(
                    "A local file was found, but it seems to be incomplete or outdated because "
                    f"the {_hash_name(hash_algorithm, file_hash)} file hash does not match the "
                    f"original value of {file_hash} so we will re-download the data."
                )
                continue
            found = candidate
            break
    if found is None:
        alt = candidates[1] if len(candidates) > 1 else None
        _download(origin, download_target, fname, file_hash, hash_algorithm, alt)
        found, downloaded = download_target, True

    if extraction_dir is None:
        return found
    if untar:
        if downloaded or not os.path.exists(extraction_dir):
            if not _extract_atomically(found, datadir, "tar", merge=True):
                warnings.warn("Could not extract archive.", stacklevel=2)
    elif downloaded or not os.path.isdir(extraction_dir) or not os.listdir(extraction_dir):
        if not _extract_atomically(found, extraction_dir, archive_format):
            warnings.warn("Could not extract archive.", stacklevel=2)
    return extraction_dir
