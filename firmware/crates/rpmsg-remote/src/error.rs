// SPDX-License-Identifier: MIT OR Apache-2.0
//! Errors returned to the application.

/// Why an operation did not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// Nothing to do right now: no free Linux buffer to send into, or no
    /// message to receive. Retry later or use a blocking call.
    WouldBlock,
    /// A blocking call ran out of time.
    Timeout,
    /// Linux has not made any buffer available yet (or re-created the rings
    /// and has not refilled them).
    LinkDown,
    /// The payload does not fit one buffer.
    TooLong,
    /// A fixed-capacity table is full (endpoints, or held TX buffers).
    NoSlot,
    /// The requested local address is reserved or taken.
    AddressInUse,
    /// The endpoint name is empty or longer than 31 bytes.
    BadName,
    /// The endpoint handle does not refer to a live endpoint.
    NoEndpoint,
    /// The buffer handle belongs to a ring Linux has since re-created.
    Stale,
}
