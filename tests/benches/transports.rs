//! Time per APDU round trip and per `status` flow (25 APDUs), through every transport to the
//! same simulated card: in-process, TCP, pcscd + vpcd, and libnfc + a PN532 on a pty.
//!
//! `scripts/bench-readers` runs it and prints each transport's ratio to in-process.

#![allow(missing_docs, clippy::unwrap_used)] // a benchmark: criterion generates its entry points

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kazasu_core::flows;
use kazasu_core::transport::Transport;
use kazasu_core::transport::libnfc::{self, NfcTransport};
use kazasu_core::transport::pcsc::{PcscTransport, ReaderChoice};
use kazasu_core::transport::remote::{self, TcpTransport};
use kazasu_sim::frontend::pn532::{Pn532, pty::PtyLink};
use kazasu_sim::frontend::{CardSlot, SharedSlot, tcp, vpcd};
use kazasu_sim::{MY_NUMBER_CARD_ATR, SimTransport};
use kazasu_tests::TestCard;
use kazasu_tests::pcscd::Pcscd;

/// SELECT EF 000A (the authentication certificate) in the JPKI AP: a short command, a status-only answer.
const SELECT_EF: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A];
const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];

/// A front-end running in a thread of this process until dropped.
struct Frontend {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Frontend {
    fn spawn(
        f: impl FnOnce(SharedSlot, Arc<AtomicBool>) + Send + 'static,
        slot: SharedSlot,
    ) -> Frontend {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        Frontend {
            stop,
            thread: Some(std::thread::spawn(move || f(slot, s))),
        }
    }
}

impl Drop for Frontend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn slot(card: &TestCard) -> SharedSlot {
    CardSlot::open(card.path().to_owned(), MY_NUMBER_CARD_ATR.to_vec())
        .expect("open the card")
        .shared()
}

fn bench_transport(c: &mut Criterion, name: &str, transport: &mut dyn Transport) {
    let today = time::macros::date!(2027 - 01 - 01);
    assert_eq!(transport.transmit(&SELECT_JPKI).unwrap(), [0x90, 0x00]);
    let mut group = c.benchmark_group(name);
    group.bench_function("apdu", |b| {
        b.iter(|| {
            let r = transport.transmit(&SELECT_EF).expect("round trip");
            assert_eq!(r, [0x90, 0x00]);
        });
    });
    group.bench_function("status", |b| {
        b.iter(|| flows::card_status(&mut *transport, today).expect("status flow"));
    });
    group.finish();
}

fn transports(c: &mut Criterion) {
    let card = TestCard::new();

    let mut in_process = SimTransport::open(card.path()).unwrap();
    bench_transport(c, "in-process", &mut in_process);
    drop(in_process);

    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let _server = Frontend::spawn(
            move |slot, stop| tcp::run(&listener, &slot, &stop).expect("tcp front-end"),
            slot(&card),
        );
        let mut t = TcpTransport::connect(&address, remote::DEFAULT_TIMEOUT).unwrap();
        bench_transport(c, "tcp", &mut t);
    }

    {
        let link = Arc::new(PtyLink::open(None).unwrap());
        let connstring = format!("pn532_uart:{}", link.slave_path().display());
        let serving = link.clone();
        let _chip = Frontend::spawn(
            move |slot, stop| {
                let mut chip = Pn532::new(slot);
                serving.serve(&mut chip, &stop).expect("PN532 front-end");
            },
            slot(&card),
        );
        let mut t = NfcTransport::open(
            Some(&connstring),
            Duration::from_secs(5),
            libnfc::DEFAULT_TIMEOUT,
        )
        .unwrap();
        bench_transport(c, "libnfc-pn532", &mut t);
    }

    {
        let pcscd = Pcscd::start();
        let _card_in_reader = Frontend::spawn(
            |slot, stop| vpcd::run(vpcd::DEFAULT_ADDRESS, &slot, &stop),
            slot(&card),
        );
        pcscd.wait_for_card(true);
        let mut t = PcscTransport::connect(
            &ReaderChoice::Name(kazasu_tests::pcscd::VIRTUAL_READER.to_owned()),
            Duration::from_secs(5),
        )
        .unwrap();
        bench_transport(c, "pcscd-vpcd", &mut t);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = transports
}
criterion_main!(benches);
