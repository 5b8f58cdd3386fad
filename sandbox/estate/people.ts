/** Names of people for the sandbox's payroll and official cards (generated, never real). */
const surnames = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
];
const given = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '华',
  '慧',
];

/** A deterministic name for person `n`. */
export function personName(n: number): string {
  const i = Math.abs(Math.trunc(n));
  return `${surnames[i % surnames.length]}${given[(i * 7) % given.length]}${i % 3 === 0 ? given[(i * 13) % given.length] : ''}`;
}
