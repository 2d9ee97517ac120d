namespace KafkaNative.Sim.Storm;

/// <summary>
/// Array-backed pool of struct state addressed by slot number, with a free list and a generation per slot
/// so events can carry (slot, generation) instead of references.
/// Growing replaces the array: never hold a <c>ref</c> into the pool across a call that may allocate from it.
/// </summary>
internal sealed class SlotPool<T> where T : struct
{
    private T[] items;
    private int[] generations;
    private int[] free;
    private int freeCount;
    private int highWater;

    public SlotPool(int initialCapacity = 1024)
    {
        items = new T[initialCapacity];
        generations = new int[initialCapacity];
        free = new int[initialCapacity];
    }

    public int Live { get; private set; }

    public ref T this[int slot] => ref items[slot];

    public int Generation(int slot) => generations[slot];

    public int Allocate()
    {
        int slot;
        if (freeCount > 0)
        {
            slot = free[--freeCount];
        }
        else
        {
            if (highWater == items.Length)
                Grow();
            slot = highWater++;
        }
        items[slot] = default;
        Live++;
        return slot;
    }

    public void Release(int slot)
    {
        generations[slot]++;
        free[freeCount++] = slot;
        Live--;
    }

    private void Grow()
    {
        int size = items.Length * 2;
        Array.Resize(ref items, size);
        Array.Resize(ref generations, size);
        Array.Resize(ref free, size);
    }
}
