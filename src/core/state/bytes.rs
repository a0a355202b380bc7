//! Byte writer and bounded reader for the state codec: LEB128 varints, zigzag for signed
//! values, length-prefixed strings. The reader fails with the name of the field it was on.
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u8(&mut self, b: u8) {
        self.0.push(b);
    }
    pub fn uvar(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }
    pub fn ivar(&mut self, n: i64) {
        self.uvar(((n << 1) ^ (n >> 63)) as u64);
    }
    pub fn f64(&mut self, n: f64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    pub fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    pub fn str(&mut self, s: &str) {
        self.uvar(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Why decoding stopped: the field being read and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub field: &'static str,
    pub problem: &'static str,
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }
    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], Malformed> {
        let slice = self
            .bytes
            .get(self.at..self.at.saturating_add(n))
            .ok_or(Malformed {
                field,
                problem: "truncated",
            })?;
        self.at += n;
        Ok(slice)
    }
    pub fn u8(&mut self, field: &'static str) -> Result<u8, Malformed> {
        Ok(self.take(1, field)?.first().copied().unwrap_or(0))
    }
    pub fn uvar(&mut self, field: &'static str) -> Result<u64, Malformed> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8(field)?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(Malformed {
            field,
            problem: "varint too long",
        })
    }
    pub fn ivar(&mut self, field: &'static str) -> Result<i64, Malformed> {
        let n = self.uvar(field)?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }
    /// A count, refused above `max` so corrupt input cannot make us allocate.
    pub fn count(&mut self, field: &'static str, max: usize) -> Result<usize, Malformed> {
        let n = self.uvar(field)?;
        if n > max as u64 {
            return Err(Malformed {
                field,
                problem: "count over its bound",
            });
        }
        Ok(n as usize)
    }
    pub fn f64(&mut self, field: &'static str) -> Result<f64, Malformed> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8, field)?);
        let n = f64::from_le_bytes(b);
        if n.is_finite() {
            Ok(n)
        } else {
            Err(Malformed {
                field,
                problem: "not a finite number",
            })
        }
    }
    pub fn u64(&mut self, field: &'static str) -> Result<u64, Malformed> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8, field)?);
        Ok(u64::from_le_bytes(b))
    }
    pub fn u32(&mut self, field: &'static str) -> Result<u32, Malformed> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4, field)?);
        Ok(u32::from_le_bytes(b))
    }
    pub fn str(&mut self, field: &'static str, max: usize) -> Result<String, Malformed> {
        let len = self.count(field, max)?;
        let bytes = self.take(len, field)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Malformed {
            field,
            problem: "not UTF-8",
        })
    }
}
