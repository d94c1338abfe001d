// SPDX-License-Identifier: GPL-2.0
//! `rpmsg-bench TTY SIZE COUNT REPLY`: COUNT round trips through an RPMsg
//! tty already in raw mode (`stty -F TTY raw -echo`): write one message of
//! SIZE bytes, read until its REPLY bytes have come back and check them
//! (REPLY = SIZE: the message itself, the loopback channel; SIZE + 8:
//! `echo: ` + message + `\r\n`, the echo channel), then the next. Prints
//! `ok COUNT round trips of SIZE bytes`. One message is in flight at
//! a time, so the M4 does the same work for each: the firmware benchmark
//! (`make bench-firmware`) divides the M4's instruction count by COUNT.
//!
//! A guest tool: a shell loop would spend far longer per message.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::process::ExitCode;

/// Largest RPMsg payload with 512-byte buffers.
const MAX_PAYLOAD: usize = 496;
/// Largest reply: the echo channel adds 8 bytes.
const MAX_REPLY: usize = MAX_PAYLOAD + 8;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rpmsg-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn number(arg: Option<&String>, what: &str, max: usize) -> Result<usize, String> {
    arg.and_then(|a| a.parse().ok())
        .filter(|&n| (1..=max).contains(&n))
        .ok_or_else(|| {
            format!("{what} must be 1 to {max}\nusage: rpmsg-bench TTY SIZE COUNT REPLY")
        })
}

fn run(args: &[String]) -> Result<String, String> {
    let tty = args
        .first()
        .ok_or("usage: rpmsg-bench TTY SIZE COUNT REPLY")?;
    let size = number(args.get(1), "SIZE", MAX_PAYLOAD)?;
    let count = number(args.get(2), "COUNT", 1_000_000)?;
    let reply = number(args.get(3), "REPLY", MAX_REPLY)?;
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(tty)
        .map_err(|e| format!("{tty}: {e}"))?;
    let msg: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
    let want = if reply == size {
        msg.clone()
    } else if reply == size + 8 {
        [&b"echo: "[..], &msg, b"\r\n"].concat()
    } else {
        return Err(format!("REPLY must be SIZE or SIZE + 8, not {reply}"));
    };
    let mut buf = [0u8; MAX_REPLY];
    for i in 0..count {
        f.write_all(&msg).map_err(|e| format!("write {i}: {e}"))?;
        let mut got = 0;
        while got < reply {
            match f.read(&mut buf[got..reply]) {
                Ok(0) => return Err(format!("end of file after {i} round trips")),
                Ok(n) => got += n,
                Err(e) => return Err(format!("read {i}: {e}")),
            }
        }
        if buf[..reply] != want[..] {
            return Err(format!("round trip {i}: the reply differs"));
        }
    }
    Ok(format!("ok {count} round trips of {size} bytes"))
}
