// SPDX-License-Identifier: GPL-2.0
//! The kernel's `rpmsg_ctrl` interface over our transport: the guest tool
//! `rpmsg-ept` (tests/guest-tools/rpmsg-ept, built by
//! scripts/guest-tools.sh) creates an endpoint with
//! `RPMSG_CREATE_EPT_IOCTL` on `/dev/rpmsg_ctrl<N>`, sends a message to the
//! firmware's echo endpoint, reads the reply and destroys the endpoint.

use crate::console::Console;
use crate::suites;

/// Option naming the directory holding the built guest tools.
pub const GUEST_TOOLS_OPTION: &str = "guest-tools";
/// The tool's file name, on the host and in the guest's `/bin`.
pub const TOOL: &str = "rpmsg-ept";
/// Where the initramfs installs the tool.
pub const TOOL_GUEST_PATH: &str = "/bin/rpmsg-ept";
/// The firmware's echo endpoint (`rpmsg-openamp-demo-channel`).
const ECHO_ADDR: u32 = 30;
/// Name of the endpoint the test creates.
const EPT_NAME: &str = "rpmsg-ctrl-test";
/// What the test sends.
const MESSAGE: &str = "hello-via-rpmsg_ctrl";

/// Creates an endpoint through `/dev/rpmsg_ctrl<N>` with the tool at
/// `tool_guest_path`, with a kernel-chosen local address, towards the echo
/// endpoint; the reply must be `echo: <MESSAGE>\r\n` and the endpoint's
/// device must be gone afterwards.
pub fn ctrl_endpoint(con: &mut Console, tool_guest_path: &str) -> Result<String, String> {
    let ctrl = suites::clean(&suites::run_ok(
        con,
        "ls /dev/rpmsg_ctrl* 2>/dev/null | head -n 1",
    )?);
    let ctrl = suites::last_line(&ctrl).to_string();
    if !ctrl.starts_with("/dev/rpmsg_ctrl") {
        return Err(format!("no /dev/rpmsg_ctrl<N> (got {ctrl:?})"));
    }
    let out = suites::clean(&suites::run_ok(
        con,
        &format!("{tool_guest_path} {ctrl} {EPT_NAME} 0xffffffff {ECHO_ADDR} {MESSAGE}"),
    )?);
    let node = check_output(&out)?;
    let gone = suites::clean(&suites::run_ok(
        con,
        &format!("test -e {node} && echo present || echo gone"),
    )?);
    if suites::last_line(&gone) != "gone" {
        return Err(format!("{node} still exists after RPMSG_DESTROY_EPT_IOCTL"));
    }
    Ok(format!(
        "{ctrl}: {node} -> {ECHO_ADDR}: {MESSAGE} -> echo: {MESSAGE}\\r\\n; destroyed"
    ))
}

/// Checks the tool's output and returns the endpoint's device node.
fn check_output(out: &str) -> Result<String, String> {
    let want = format!("reply: echo: {MESSAGE}\\r\\n");
    let line = |prefix: &str| out.lines().map(str::trim).find(|l| l.starts_with(prefix));
    let node = line("endpoint /dev/rpmsg")
        .and_then(|l| l.split_whitespace().nth(1))
        .ok_or_else(|| format!("no endpoint line in:\n{out}"))?;
    match line("reply: ") {
        Some(l) if l == want => {}
        Some(l) => return Err(format!("want {want:?}, got {l:?}")),
        None => return Err(format!("no reply line in:\n{out}")),
    }
    if !out.contains(&format!("destroyed {node}")) {
        return Err(format!("{node} not destroyed:\n{out}"));
    }
    Ok(node.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_needs_the_echo_and_the_destroy() {
        let ok = format!(
            "endpoint /dev/rpmsg1 (x, dst 30)\nreply: echo: {MESSAGE}\\r\\n\ndestroyed /dev/rpmsg1"
        );
        assert_eq!(check_output(&ok).unwrap(), "/dev/rpmsg1");
        let wrong = ok.replace("echo: ", "echo:");
        assert!(check_output(&wrong).is_err());
        let kept = ok.replace("destroyed /dev/rpmsg1", "");
        assert!(check_output(&kept).is_err());
    }
}
