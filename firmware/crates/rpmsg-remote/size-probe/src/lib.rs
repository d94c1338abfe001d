// SPDX-License-Identifier: MIT OR Apache-2.0
//! Code-size probe: one exported function drives every API call of the
//! stack from an opaque script, so the linker keeps exactly the stack's code.
//! Built once as is and once with `baseline` (each call replaced by an
//! opaque use of its arguments); the difference in `.text` is the stack.
#![no_std]

use core::hint::black_box;
#[cfg(not(feature = "baseline"))]
use rpmsg_remote::{Device, Imx7, Platform, VolatileShm};

#[cfg(not(feature = "baseline"))]
struct Probe;

#[cfg(not(feature = "baseline"))]
impl Platform for Probe {
    fn notify(&mut self, queue_id: u32) {
        black_box(queue_id);
    }
    fn now(&mut self) -> u32 {
        black_box(0)
    }
    fn wait(&mut self, ticks: u32) {
        black_box(ticks);
    }
}

/// Runs the operations named by `script` with arguments from `args`.
#[no_mangle]
pub extern "C" fn rpmsg_probe(script: &[u8; 64], args: &[u32; 4], out: &mut [u8; 496]) -> u32 {
    let [a, b, c, _] = *args;
    let mut acc = 0u32;
    #[cfg(not(feature = "baseline"))]
    {
        // SAFETY: never executed (size measurement only); the address is
        // the default i.MX7 window.
        let shm = unsafe { VolatileShm::<Imx7>::new(0x8000_0000 as *mut u8) };
        let mut dev: Device<_, _, Imx7, 4> = Device::new(shm, Probe);
        let Ok(ept) = dev.create_endpoint(Some(a), Some(b"rpmsg-openamp-demo-channel")) else {
            return 0;
        };
        for op in script {
            acc = acc.wrapping_add(match op {
                0 => dev.wait_link(a).is_ok() as u32,
                1 => dev.recv_into(out, a).map_or(0, |m| m.len as u32),
                2 => dev.send(&ept, b, &out[..c as usize & 0xFF], a).is_ok() as u32,
                #[cfg(not(feature = "echo"))]
                3 => dev.poll() as u32,
                #[cfg(not(feature = "echo"))]
                4 => dev.try_send(&ept, b, &out[..c as usize & 0xFF]).is_ok() as u32,
                #[cfg(not(feature = "echo"))]
                5 => match dev.recv(a) {
                    Ok(rx) => {
                        let n = dev.read(&rx, b as usize, out) as u32;
                        let _ = dev.release(rx);
                        n
                    }
                    Err(_) => 0,
                },
                #[cfg(not(feature = "echo"))]
                6 => match dev.try_recv() {
                    Ok(rx) => {
                        let mut n = rx.len();
                        if let Ok(tx) = dev.try_alloc_tx() {
                            n += dev.tx_copy(&tx, b as usize, &rx, c as usize, 64);
                            let _ = dev.release_tx(tx);
                        }
                        n as u32 + dev.release(rx).is_ok() as u32
                    }
                    Err(_) => 0,
                },
                #[cfg(not(feature = "echo"))]
                7 => match dev.alloc_tx(a) {
                    Ok(tx) => {
                        let n = dev.tx_write(&tx, b as usize, out);
                        dev.send_tx(&ept, b, tx, n).is_ok() as u32
                    }
                    Err(_) => 0,
                },
                #[cfg(not(feature = "echo"))]
                8 => match dev.try_alloc_tx() {
                    Ok(tx) => dev.release_tx(tx).is_ok() as u32,
                    Err(_) => 0,
                },
                #[cfg(not(feature = "echo"))]
                9 => dev
                    .create_endpoint(None, Some(b"rpmsg-tty"))
                    .map_or(0, |e| e.addr()),
                #[cfg(not(feature = "echo"))]
                10 => dev.destroy_endpoint(ept).is_ok() as u32,
                #[cfg(not(feature = "echo"))]
                11 => match dev.recv(a) {
                    Ok(rx) => {
                        // As rpmsg-echo's echo channel: 6 bytes before, 2 after.
                        let (prefix, suffix) = out.split_at(6);
                        let n = dev.reply(&ept, &rx, prefix, &suffix[..2], a).is_ok() as u32;
                        n + dev.release(rx).is_ok() as u32
                    }
                    Err(_) => 0,
                },

                _ => 0,
            });
        }
    }
    #[cfg(feature = "baseline")]
    for op in script {
        acc = acc.wrapping_add(black_box((*op, a, b, c, out.as_mut_ptr())).0 as u32);
    }
    acc
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
