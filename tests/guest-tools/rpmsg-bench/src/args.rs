// SPDX-License-Identifier: GPL-2.0
//! The command line: the firmware benchmark's positional form and the
//! option form.

/// Largest RPMsg payload with 512-byte buffers.
pub const MAX_PAYLOAD: usize = 496;
/// Bytes the echo channel adds to a message (`echo: ` and `\r\n`).
pub const ECHO_EXTRA: usize = 8;

/// The payload sizes measured by default.
pub const DEFAULT_SIZES: [usize; 5] = [1, 16, 64, 256, MAX_PAYLOAD];

pub const USAGE: &str = "\
usage: rpmsg-bench [OPTIONS] DEVICE
       rpmsg-bench [OPTIONS] --ctrl /dev/rpmsg_ctrlN --dst ADDR
       rpmsg-bench TTY SIZE COUNT REPLY    (the firmware benchmark's form)
  DEVICE          /dev/ttyRPMSGn (put in raw mode) or /dev/rpmsgN (rpmsg_char)
  --ctrl DEV      create an rpmsg_char endpoint through DEV towards --dst ADDR
                  (name --name NAME, default rpmsg-bench); destroyed at the end
  --sizes LIST    round-trip payload sizes, 1 to 496 (default 1,16,64,256,496)
  --count N       timed round trips per size (default 1000; 0: streams only)
  --warmup N      untimed round trips before each size (default 10)
  --echo          the remote answers 'echo: ' + message + '\\r\\n' (the demo
                  channel); default: a loopback, the message itself
  --stream BYTES  stream BYTES through the loopback per write size (default 0: none)
  --writes LIST   stream write sizes (default 4096 on a tty, 496 on rpmsg_char)
  --json          JSON instead of the table
Round trips: one message in flight, timed on the guest's monotonic clock.
Streams: a writer and a reader thread, every byte checked in order; writes
that fail with ENOMEM, EAGAIN or ENOBUFS are counted and retried after 1 ms.";

/// Where the messages go.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A device node to open (a tty or `/dev/rpmsgN`).
    Device(String),
    /// An endpoint to create through `rpmsg_ctrl`.
    Ctrl {
        /// `/dev/rpmsg_ctrlN`.
        ctrl: String,
        /// Endpoint name.
        name: String,
        /// Remote address.
        dst: u32,
    },
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where to send.
    pub target: Target,
    /// Round-trip payload sizes.
    pub sizes: Vec<usize>,
    /// Timed round trips per size.
    pub count: u32,
    /// Untimed round trips before each size.
    pub warmup: u32,
    /// The remote wraps its answer as the echo channel does.
    pub echo: bool,
    /// Bytes per stream (0: no stream).
    pub stream: u64,
    /// Stream write sizes (`None`: the default for the device).
    pub writes: Option<Vec<usize>>,
    /// JSON output.
    pub json: bool,
    /// The positional form: print only `ok COUNT round trips of SIZE bytes`.
    pub legacy: bool,
}

impl Config {
    fn new(target: Target) -> Self {
        Self {
            target,
            sizes: DEFAULT_SIZES.to_vec(),
            count: 1000,
            warmup: 10,
            echo: false,
            stream: 0,
            writes: None,
            json: false,
            legacy: false,
        }
    }
}

fn number<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{what}: {s:?} is not a number"))
}

fn list(what: &str, s: &str, max: usize) -> Result<Vec<usize>, String> {
    let v = s
        .split(',')
        .map(|p| number::<usize>(what, p.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    if v.is_empty() || v.iter().any(|&n| n == 0 || n > max) {
        return Err(format!("{what}: each must be 1 to {max}"));
    }
    Ok(v)
}

/// The positional form `TTY SIZE COUNT REPLY` (REPLY = SIZE: loopback,
/// SIZE + 8: echo).
fn positional(args: &[String]) -> Result<Config, String> {
    let [tty, size, count, reply] = args else {
        return Err(USAGE.into());
    };
    let size: usize = number("SIZE", size)?;
    let count: u32 = number("COUNT", count)?;
    let reply: usize = number("REPLY", reply)?;
    if !(1..=MAX_PAYLOAD).contains(&size) || count == 0 {
        return Err(format!("SIZE must be 1 to {MAX_PAYLOAD}, COUNT at least 1"));
    }
    let echo = match reply {
        r if r == size => false,
        r if r == size + ECHO_EXTRA => true,
        r => return Err(format!("REPLY must be SIZE or SIZE + 8, not {r}")),
    };
    Ok(Config {
        sizes: vec![size],
        count,
        warmup: 0,
        echo,
        legacy: true,
        ..Config::new(Target::Device(tty.clone()))
    })
}

/// Parses the arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Config, String> {
    if args.len() == 4 && !args.iter().any(|a| a.starts_with("--")) {
        return positional(args);
    }
    let mut cfg = Config::new(Target::Device(String::new()));
    let (mut device, mut ctrl, mut dst, mut name) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |key: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{key} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--ctrl" => ctrl = Some(value(a)?),
            "--dst" => {
                let v = value(a)?;
                dst = Some(
                    crate::sysfs::parse_u32(&v).ok_or(format!("--dst: {v:?} is not an address"))?,
                );
            }
            "--name" => name = Some(value(a)?),
            "--sizes" => cfg.sizes = list("--sizes", &value(a)?, MAX_PAYLOAD)?,
            "--count" => cfg.count = number("--count", &value(a)?)?,
            "--warmup" => cfg.warmup = number("--warmup", &value(a)?)?,
            "--echo" => cfg.echo = true,
            "--stream" => cfg.stream = number("--stream", &value(a)?)?,
            "--writes" => cfg.writes = Some(list("--writes", &value(a)?, 1 << 20)?),
            "--json" => cfg.json = true,
            "-h" | "--help" => return Err(USAGE.into()),
            o if o.starts_with('-') => return Err(format!("unknown option {o}\n{USAGE}")),
            d if device.is_none() => device = Some(d.to_string()),
            d => return Err(format!("unexpected argument {d}\n{USAGE}")),
        }
    }
    cfg.target = match (device, ctrl, dst) {
        (Some(d), None, None) => Target::Device(d),
        (None, Some(ctrl), Some(dst)) => Target::Ctrl {
            ctrl,
            name: name.unwrap_or_else(|| "rpmsg-bench".into()),
            dst,
        },
        _ => return Err(format!("give a DEVICE, or --ctrl and --dst\n{USAGE}")),
    };
    if cfg.count == 0 {
        // Streams only.
        cfg.sizes.clear();
        if cfg.stream == 0 {
            return Err("--count 0 and no --stream: nothing to measure".into());
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn the_firmware_benchmarks_form_still_parses() {
        let c = parse(&args("/dev/ttyRPMSG1 64 2000 64")).unwrap();
        assert!(c.legacy && !c.echo);
        assert_eq!((c.sizes.clone(), c.count, c.warmup), (vec![64], 2000, 0));
        assert_eq!(c.target, Target::Device("/dev/ttyRPMSG1".into()));
        assert!(parse(&args("/dev/ttyRPMSG0 16 10 24")).unwrap().echo);
        assert!(parse(&args("/dev/ttyRPMSG0 16 10 20")).is_err());
        assert!(parse(&args("/dev/ttyRPMSG0 497 10 497")).is_err());
    }

    #[test]
    fn options() {
        let c = parse(&args(
            "--sizes 1,64 --count 5 --stream 1048576 --writes 4096,496 --json /dev/rpmsg0",
        ))
        .unwrap();
        assert_eq!(c.sizes, vec![1, 64]);
        assert_eq!((c.count, c.stream, c.json), (5, 1 << 20, true));
        assert_eq!(c.writes, Some(vec![4096, 496]));
        assert_eq!(c.target, Target::Device("/dev/rpmsg0".into()));
        let c = parse(&args("--ctrl /dev/rpmsg_ctrl0 --dst 0x1f")).unwrap();
        assert_eq!(
            c.target,
            Target::Ctrl {
                ctrl: "/dev/rpmsg_ctrl0".into(),
                name: "rpmsg-bench".into(),
                dst: 31
            }
        );
        assert_eq!(c.sizes, DEFAULT_SIZES.to_vec());
        let c = parse(&args("--count 0 --stream 4096 /dev/rpmsg1")).unwrap();
        assert!(c.sizes.is_empty());
    }

    #[test]
    fn bad_command_lines() {
        for bad in [
            "",
            "--sizes 0 /dev/x",
            "--sizes 497 /dev/x",
            "--count",
            "--frob /dev/x",
            "/dev/x /dev/y",
            "--ctrl /dev/rpmsg_ctrl0",
            "--ctrl /dev/rpmsg_ctrl0 --dst 31 /dev/x",
            "--count 0 /dev/x",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?} parsed");
        }
    }
}
