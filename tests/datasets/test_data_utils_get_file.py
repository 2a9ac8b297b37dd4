"""lamina.utils.get_file against a local HTTP server: cache, hashes, extraction, offline."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from lamina.utils import data_utils
from lamina.utils.data_utils import URLFetchError, get_file

PAYLOAD = bytes(range(256)) * 1000  # 256 kB: several progress updates


def _leftovers(directory) -> list[str]:
    return [n for n in os.listdir(directory) if n.startswith(".")]


def test_download_progress_and_cache_hit(server, cache, capsys):
    sha = server.put("blob.bin", PAYLOAD)
    path = get_file("blob.bin", origin=server.url + "blob.bin", file_hash=sha)
    assert path == str(cache / "blob.bin")
    with open(path, "rb") as f:
        assert f.read() == PAYLOAD
    out = capsys.readouterr().out
    assert f"Downloading data from {server.url}blob.bin" in out
    assert f"{len(PAYLOAD)}/{len(PAYLOAD)} [" in out  # the finished progress bar
    assert _leftovers(cache) == []
    # Second call: served from the cache, no request, nothing printed.
    assert get_file("blob.bin", origin=server.url + "blob.bin", file_hash=sha) == path
    assert server.requests == ["/blob.bin"]
    assert capsys.readouterr().out == ""


def test_fname_defaults_to_url_name_and_unknown_length(server, cache, capsys):
    server.put("data/x.txt", b"hello")
    server.httpd.omit_length = True  # no Content-Length: a bar without a target
    path = get_file(origin=server.url + "data/x.txt")
    assert path == str(cache / "x.txt")
    assert open(path, "rb").read() == b"hello"
    assert capsys.readouterr().out.endswith("\n")


def test_md5_and_sha256_hashes(server, cache):
    server.put("a.bin", PAYLOAD)
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    assert get_file("a.bin", origin=server.url + "a.bin", md5_hash=md5)
    assert get_file("a.bin", origin=server.url + "a.bin", file_hash=md5.upper())
    assert get_file("a.bin", origin=server.url + "a.bin", file_hash=sha, hash_algorithm="sha256")
    assert len(server.requests) == 1
    assert data_utils.validate_file(cache / "a.bin", sha)
    assert data_utils.hash_file(cache / "a.bin", "md5") == md5
    assert not data_utils.validate_file(cache / "a.bin", "0" * 64)
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("a.bin", origin=server.url + "a.bin", hash_algorithm="sha1")


def test_bad_download_hash_leaves_nothing(server, cache):
    server.put("a.bin", PAYLOAD)
    with pytest.raises(ValueError, match="sha256 file hash .* does not match"):
        get_file("a.bin", origin=server.url + "a.bin", file_hash="0" * 64)
    assert os.listdir(cache) == []  # neither the bad file nor a temporary one


def test_interrupted_download_leaves_no_file(server, cache):
    server.put("a.bin", PAYLOAD)
    server.httpd.truncate = True
    with pytest.raises(URLFetchError, match="a.bin"):
        get_file("a.bin", origin=server.url + "a.bin")
    assert os.listdir(cache) == []  # no truncated file in the cache, no temporary file
    server.httpd.truncate = False
    assert open(get_file("a.bin", origin=server.url + "a.bin"), "rb").read() == PAYLOAD


def test_stale_cached_file_is_downloaded_again(server, cache, capsys):
    sha = server.put("a.bin", PAYLOAD)
    os.makedirs(cache)
    (cache / "a.bin").write_bytes(b"truncated")
    get_file("a.bin", origin=server.url + "a.bin", file_hash=sha)
    assert "hash does not match" in capsys.readouterr().out
    assert (cache / "a.bin").read_bytes() == PAYLOAD
    # Without a hash a cached file is trusted; force_download fetches anyway.
    (cache / "a.bin").write_bytes(b"old")
    assert open(get_file("a.bin", origin=server.url + "a.bin"), "rb").read() == b"old"
    get_file("a.bin", origin=server.url + "a.bin", force_download=True)
    assert (cache / "a.bin").read_bytes() == PAYLOAD
    assert len(server.requests) == 2


def test_cache_locations(server, tmp_path, monkeypatch):
    server.put("a.bin", b"x")
    keras_home, lamina_home = tmp_path / "kh", tmp_path / "lh"
    monkeypatch.delenv("LAMINA_HOME", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    assert get_file("a.bin", origin=server.url + "a.bin") == str(keras_home / "datasets" / "a.bin")
    monkeypatch.setenv("LAMINA_HOME", str(lamina_home))  # lamina's own setting wins
    assert get_file("a.bin", origin=server.url + "a.bin") == str(lamina_home / "datasets" / "a.bin")
    explicit = tmp_path / "explicit"
    path = get_file("a.bin", origin=server.url + "a.bin", cache_dir=explicit, cache_subdir="sub")
    assert path == str(explicit / "sub" / "a.bin")
    absolute = tmp_path / "abs"
    assert get_file("a.bin", origin=server.url + "a.bin", cache_subdir=str(absolute)) == str(
        absolute / "a.bin"
    )


def test_default_cache_is_home_dot_keras(monkeypatch, tmp_path):
    monkeypatch.delenv("LAMINA_HOME", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_utils.cache_root() == str(tmp_path / ".keras")


def test_argument_errors(cache):
    with pytest.raises(ValueError, match="origin"):
        get_file("a.bin")
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        get_file(os.path.join("sub", "a.bin"), origin="http://127.0.0.1/a.bin")
    with pytest.raises(ValueError, match="Can't parse the file name"):
        get_file(origin="http://127.0.0.1/")


def test_offline_error_names_the_file_and_place(cache, offline_url):
    with pytest.raises(URLFetchError) as info:
        get_file("mnist.npz", origin=offline_url + "mnist.npz", file_hash="ab" * 32)
    message = str(info.value)
    assert "this machine may be offline" in message
    assert f"download {offline_url}mnist.npz" in message
    assert f"save it as {cache / 'mnist.npz'}" in message
    assert "expected sha256: " + "ab" * 32 in message
    assert info.value.__suppress_context__  # no chained network traceback
    assert os.listdir(cache) == []


def test_http_error(server, cache):
    with pytest.raises(URLFetchError, match=r"URL fetch failure on .*missing\.bin: 404"):
        get_file("missing.bin", origin=server.url + "missing.bin")
    assert os.listdir(cache) == []


def test_file_placed_by_hand_under_its_url_name_is_used(cache, offline_url):
    os.makedirs(cache)
    (cache / "archive.tar.gz").write_bytes(_tar({"pkg/a.txt": b"A"}))
    path = get_file("pkg-target", origin=offline_url + "archive.tar.gz", extract=True)
    assert path == str(cache / "pkg-target")
    assert (cache / "pkg-target" / "pkg" / "a.txt").read_bytes() == b"A"


def _tar(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_extract_tar_keras3_layout(server, cache):
    sha = server.put("stuff.tar.gz", _tar({"folder/a.txt": b"A", "folder/b/c.txt": b"C"}))
    # fname without a dot: it names the extraction directory; the archive sits beside it.
    path = get_file("stuff", origin=server.url + "stuff.tar.gz", extract=True, file_hash=sha)
    assert path == str(cache / "stuff")
    assert (cache / "stuff" / "folder" / "b" / "c.txt").read_bytes() == b"C"
    assert (cache / "stuff_archive").is_file()
    # fname with a dot: it names the archive; "<stem>_extracted" is the directory.
    path = get_file("stuff.tar.gz", origin=server.url + "stuff.tar.gz", extract=True)
    assert path == str(cache / "stuff_extracted")
    assert (cache / "stuff_extracted" / "folder" / "a.txt").read_bytes() == b"A"
    # Cached: no new request, extraction kept.
    n = len(server.requests)
    assert get_file("stuff", origin=server.url + "stuff.tar.gz", extract=True) == str(
        cache / "stuff"
    )
    assert len(server.requests) == n
    assert not [p for p in os.listdir(cache) if p.startswith(".")]


def test_untar_keeps_its_keras2_meaning(server, cache):
    # tf.keras 2.x: get_file("aclImdb_v1", url, untar=True) stores aclImdb_v1.tar.gz, unpacks
    # it into the cache directory and returns <cache>/aclImdb_v1; the code then looks for the
    # archive's own top folder beside it.
    server.put("aclImdb_v1.tar.gz", _tar({"aclImdb/train/a.txt": b"A", "aclImdb/README": b"R"}))
    path = get_file("aclImdb_v1", origin=server.url + "aclImdb_v1.tar.gz", untar=True)
    assert path == str(cache / "aclImdb_v1")
    assert (cache / "aclImdb_v1.tar.gz").is_file()
    assert (cache / "aclImdb" / "train" / "a.txt").read_bytes() == b"A"
    # The archive named like the folder it holds (the flower_photos tutorial).
    server.put("flower_photos.tgz", _tar({"flower_photos/daisy/1.jpg": b"J"}))
    path = get_file("flower_photos", origin=server.url + "flower_photos.tgz", untar=True)
    assert os.path.isfile(os.path.join(path, "daisy", "1.jpg"))
    n = len(server.requests)
    get_file("flower_photos", origin=server.url + "flower_photos.tgz", untar=True)
    assert len(server.requests) == n
    # A ".tar.gz" fname is the same request (late tf.keras 2.x).
    assert get_file("aclImdb_v1.tar.gz", origin="http://unused/x", untar=True) == str(
        cache / "aclImdb_v1"
    )
    assert len(server.requests) == n
    assert not [p for p in os.listdir(cache) if p.startswith(".")]


def test_extract_zip_and_archive_format(server, cache):
    server.put("z.zip", _zip({"d/z.txt": b"Z"}))
    path = get_file("zz", origin=server.url + "z.zip", extract=True)
    assert (cache / "zz" / "d" / "z.txt").read_bytes() == b"Z"
    assert path == str(cache / "zz")
    with pytest.warns(UserWarning, match="Could not extract"):
        get_file("zt", origin=server.url + "z.zip", extract=True, archive_format="tar")
    with pytest.raises(ValueError, match="archive_format"):
        data_utils.extract_archive(cache / "zz_archive", cache / "x", archive_format="rar")
    assert data_utils.extract_archive(cache / "zz_archive", cache / "none", None) is False


def test_tar_path_traversal_is_blocked(server, cache, tmp_path):
    evil = _tar(
        {"ok.txt": b"fine", "../escaped.txt": b"evil", "/tmp/abs_escaped.txt": b"evil"},
        links={"link": "../../outside", "inner_link": "ok.txt"},
    )
    server.put("evil.tar.gz", evil)
    with pytest.warns(UserWarning, match="unsafe path"):
        path = get_file("evil", origin=server.url + "evil.tar.gz", extract=True)
    assert (cache / "evil" / "ok.txt").read_bytes() == b"fine"
    assert not (cache / "escaped.txt").exists()
    assert not os.path.exists(os.path.join(path, "link"))
    assert not os.path.exists("/tmp/abs_escaped.txt")


def test_zip_path_traversal_is_blocked(server, cache):
    server.put("evil.zip", _zip({"ok.txt": b"fine", "../../escaped_zip.txt": b"evil"}))
    with pytest.warns(UserWarning, match="unsafe path"):
        path = get_file("evilz", origin=server.url + "evil.zip", extract=True)
    assert open(os.path.join(path, "ok.txt"), "rb").read() == b"fine"
    assert not (cache / "escaped_zip.txt").exists()
    assert not (cache.parent / "escaped_zip.txt").exists()


def test_fallback_progbar_when_progbar_module_missing(monkeypatch, server, cache, capsys):
    import builtins

    real_import = builtins.__import__

    def no_progbar(name, *args, **kwargs):
        if name == "lamina.utils.progbar":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_progbar)
    server.put("a.bin", PAYLOAD)
    get_file("a.bin", origin=server.url + "a.bin")
    out = capsys.readouterr().out
    assert f"{len(PAYLOAD)}/{len(PAYLOAD)} [==============================]" in out


def test_public_name():
    import lamina

    assert lamina.utils.get_file is get_file
