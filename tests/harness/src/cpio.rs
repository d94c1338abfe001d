// SPDX-License-Identifier: GPL-2.0
//! A writer for the `newc` cpio format the kernel unpacks as an initramfs
//! (`Documentation/driver-api/early-userspace/buffer-format.rst`).

use std::io::{self, Write};

/// Mode bits for a regular file.
pub const S_IFREG: u32 = 0o100000;
/// Mode bits for a directory.
pub const S_IFDIR: u32 = 0o040000;
/// Mode bits for a symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Mode bits for a character device.
pub const S_IFCHR: u32 = 0o020000;

/// Streams entries into a `newc` archive; [`CpioWriter::finish`] writes the
/// trailer. Inode numbers are assigned in order, so output is reproducible.
pub struct CpioWriter<W: Write> {
    out: W,
    written: u64,
    next_ino: u32,
}

impl<W: Write> CpioWriter<W> {
    /// Starts an archive on `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            written: 0,
            next_ino: 1,
        }
    }

    /// Adds a directory.
    pub fn dir(&mut self, path: &str, perm: u32) -> io::Result<()> {
        self.entry(path, S_IFDIR | perm, 0, &[])
    }

    /// Adds a regular file with `data` as its contents.
    pub fn file(&mut self, path: &str, perm: u32, data: &[u8]) -> io::Result<()> {
        self.entry(path, S_IFREG | perm, 0, data)
    }

    /// Adds a symbolic link at `path` pointing to `target`.
    pub fn symlink(&mut self, path: &str, target: &str) -> io::Result<()> {
        self.entry(path, S_IFLNK | 0o777, 0, target.as_bytes())
    }

    /// Adds a character device node.
    pub fn char_dev(&mut self, path: &str, perm: u32, major: u32, minor: u32) -> io::Result<()> {
        self.entry(path, S_IFCHR | perm, (major << 8) | minor, &[])
    }

    /// Writes the trailer, pads the archive to 512 bytes and returns the sink.
    pub fn finish(mut self) -> io::Result<W> {
        self.next_ino = 0;
        self.entry("TRAILER!!!", 0, 0, &[])?;
        let pad = (512 - self.written % 512) % 512;
        self.write_all(&vec![0; pad as usize])?;
        Ok(self.out)
    }

    fn entry(&mut self, path: &str, mode: u32, rdev: u32, data: &[u8]) -> io::Result<()> {
        let name = path.trim_start_matches('/');
        let ino = self.next_ino;
        if ino != 0 {
            self.next_ino += 1;
        }
        let nlink = if mode & S_IFDIR != 0 { 2 } else { 1 };
        let (rmaj, rmin) = (rdev >> 8, rdev & 0xff);
        let fields = [
            ino,
            mode,
            0, // uid
            0, // gid
            nlink,
            0, // mtime: fixed, for reproducible archives
            data.len() as u32,
            0, // devmajor
            0, // devminor
            rmaj,
            rmin,
            name.len() as u32 + 1,
            0, // check
        ];
        let mut header = String::from("070701");
        for f in fields {
            header.push_str(&format!("{f:08x}"));
        }
        self.write_all(header.as_bytes())?;
        self.write_all(name.as_bytes())?;
        self.write_all(&[0])?;
        self.pad4()?;
        self.write_all(data)?;
        self.pad4()
    }

    fn pad4(&mut self) -> io::Result<()> {
        let pad = (4 - self.written % 4) % 4;
        self.write_all(&[0; 3][..pad as usize])
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a `newc` archive back into (name, mode, data) triples.
    fn parse(mut buf: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
        assert_eq!(buf.len() % 512, 0, "archive not padded to 512");
        let mut out = Vec::new();
        let mut off = 0usize;
        loop {
            assert_eq!(&buf[..6], b"070701", "bad magic at {off}");
            let field = |i: usize| {
                let s = std::str::from_utf8(&buf[6 + i * 8..14 + i * 8]).unwrap();
                u32::from_str_radix(s, 16).unwrap() as usize
            };
            let (mode, size, namesize) = (field(1) as u32, field(6), field(11));
            let name = std::str::from_utf8(&buf[110..110 + namesize - 1])
                .unwrap()
                .to_string();
            assert_eq!(buf[110 + namesize - 1], 0);
            let data_at = (110 + namesize + 3) & !3;
            let data = buf[data_at..data_at + size].to_vec();
            let next = (data_at + size + 3) & !3;
            off += next;
            buf = &buf[next..];
            if name == "TRAILER!!!" {
                assert!(
                    buf.iter().all(|&b| b == 0),
                    "garbage after the trailer at {off}"
                );
                return out;
            }
            out.push((name, mode, data));
        }
    }

    #[test]
    fn round_trip() {
        let mut w = CpioWriter::new(Vec::new());
        w.dir("/bin", 0o755).unwrap();
        w.file("/init", 0o755, b"#!/bin/sh\n").unwrap();
        w.file("/bin/odd", 0o644, b"12345").unwrap();
        w.symlink("/bin/sh", "busybox").unwrap();
        w.char_dev("/dev/console", 0o600, 5, 1).unwrap();
        let archive = w.finish().unwrap();
        let entries = parse(&archive);
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0], ("bin".into(), S_IFDIR | 0o755, vec![]));
        assert_eq!(
            entries[1],
            ("init".into(), S_IFREG | 0o755, b"#!/bin/sh\n".to_vec())
        );
        assert_eq!(entries[2].2, b"12345");
        assert_eq!(
            entries[3],
            ("bin/sh".into(), S_IFLNK | 0o777, b"busybox".to_vec())
        );
        assert_eq!(entries[4].1, S_IFCHR | 0o600);
    }
}
